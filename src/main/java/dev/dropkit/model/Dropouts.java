package dev.dropkit.model;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleFunction;

/** The dropout variants by name, so that notebooks, the command line and the MLP builder choose them the same way. */
public final class Dropouts {
    private static final Map<String, DoubleFunction<DropoutLayer>> VARIANTS = new LinkedHashMap<>();

    static {
        VARIANTS.put("standard", StandardDropout::new);
        VARIANTS.put("fast", FastDropout::new);
        VARIANTS.put("structured", StructuredDropout::new);
    }

    /** The variant that drops whole units per minibatch (not an independent mask per element). */
    public static final String STRUCTURED = "structured";

    private Dropouts() {}

    /** The names of the available variants, in a stable order. */
    public static Set<String> kinds() {
        return VARIANTS.keySet();
    }

    /** The variants with an independent Bernoulli mask per element (every variant but "structured"). */
    public static Set<String> elementwiseKinds() {
        Set<String> kinds = new java.util.LinkedHashSet<>(VARIANTS.keySet());
        kinds.remove(STRUCTURED);
        return kinds;
    }

    /** A new layer of the named variant at {@code rate}. */
    public static DropoutLayer create(String kind, double rate) {
        return VARIANTS.get(check(kind)).apply(rate);
    }

    /** Returns the normalised name, or throws a one-line error listing the known variants. */
    public static String check(String kind) {
        String key = kind == null ? "" : kind.trim().toLowerCase(Locale.ROOT);
        if (!VARIANTS.containsKey(key)) {
            throw new IllegalArgumentException("unknown dropout variant '" + kind + "': use one of "
                    + String.join(", ", VARIANTS.keySet()));
        }
        return key;
    }
}
