package dev.hybrid.tuner;

import dev.hybrid.HybridException;

/** A tuner cannot search a parameter of the space; names the parameter and its {@code _type}. */
public class UnsupportedSearchSpaceException extends HybridException {
    private final String parameter;
    private final String type;

    public UnsupportedSearchSpaceException(String tuner, String parameter, String type, String why) {
        super(tuner + " cannot search parameter '" + parameter + "' of _type " + type + ": " + why);
        this.parameter = parameter;
        this.type = type;
    }

    public String parameter() {
        return parameter;
    }

    public String type() {
        return type;
    }
}
