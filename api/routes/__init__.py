"""HTTP surfaces, one module each. The whole route table is registered in ``api.app``."""
