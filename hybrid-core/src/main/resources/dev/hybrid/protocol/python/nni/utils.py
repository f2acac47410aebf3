"""The helpers of NNI's nni.utils that trial scripts use."""


def merge_parameter(base_params, override_params):
    """Overrides attributes (or keys) of base_params with the tuner's parameters, checking names and types."""
    if override_params is None:
        return base_params
    is_dict = isinstance(base_params, dict)
    for k, v in override_params.items():
        if is_dict:
            if k not in base_params:
                raise ValueError("key '%s' is not found in %s" % (k, type(base_params).__name__))
            current = base_params[k]
        else:
            if not hasattr(base_params, k):
                raise ValueError("key '%s' is not found in %s" % (k, type(base_params).__name__))
            current = getattr(base_params, k)
        if current is not None and v is not None and type(current) != type(v):
            if isinstance(current, float) and isinstance(v, int):
                v = float(v)
            elif isinstance(current, int) and isinstance(v, float) and v == int(v):
                v = int(v)
            else:
                raise TypeError("expected '%s' in %s to be %s, got %s"
                                % (k, type(base_params).__name__, type(current).__name__, type(v).__name__))
        if is_dict:
            base_params[k] = v
        else:
            setattr(base_params, k, v)
    return base_params
