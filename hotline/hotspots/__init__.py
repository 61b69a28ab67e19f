"""热点预警 (issue 17, Build 7): a surge of similar appeals from one town raises one alert,
groups the appeals under one master order and feeds the weekly hot-spot report."""
