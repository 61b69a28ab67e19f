"""Pure rules of 服务体验官: task kinds, the evaluation scale, quarters and averages."""
