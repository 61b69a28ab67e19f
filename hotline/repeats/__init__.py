"""重复诉求 (issue 17, Build 5): a new appeal shown with the caller's and the place's earlier
orders (hotline/intake/duplicates.py `earlier_orders`), linked as a repeat or reopening the
earlier order; repeats counted per unit and category."""
