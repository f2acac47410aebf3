package dev.hybrid.space;

/**
 * One parameter of a search space, one record per NNI {@code _type}. Parsed once from NNI's
 * {@code search_space.json}; tuners switch on the record type with {@code instanceof}.
 *
 * <p>Semantics follow NNI exactly: {@code randint} excludes its upper bound; q-types round half to even
 * ({@link Math#rint}); {@code quniform} and {@code qloguniform} are then clipped to {@code [low, high]}; the normal
 * types are unbounded.
 */
public sealed interface ParameterSpec
        permits Choice, RandInt, Uniform, QUniform, LogUniform, QLogUniform, Normal, QNormal, LogNormal, QLogNormal {

    /** The parameter's name, the key in {@code search_space.json}. */
    String name();

    /** NNI's {@code _type} for this spec, e.g. {@code "qloguniform"}. */
    String nniType();
}
