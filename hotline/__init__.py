"""hotline: the 12345 政务服务便民热线 work-order service."""
__version__ = "0.1.0"
