package dev.dropkit.cli;

import dev.dropkit.train.AdaptiveRate;
import java.util.Locale;

/**
 * The value of {@code --dropout}: a fixed rate ({@code 0.5}) or the adaptive controller ({@code adaptive}, with
 * bounds {@code adaptive:LOWER:UPPER}), parsed once into a type so that the rest of the command line never reads
 * the text again.
 *
 * <ul>
 *   <li>{@code P}: every epoch drops the fraction P of hidden units, P in [0, 1);
 *   <li>{@code adaptive}: {@link AdaptiveRate} from {@value #START} within its default bounds [0, 0.8];
 *   <li>{@code adaptive:LOWER:UPPER}: within [LOWER, UPPER], from {@value #START} moved into the bounds.
 * </ul>
 *
 * @param rate     the fixed rate, or the controller's initial rate (the model is built with it)
 * @param adaptive the controller's settings, or null for a fixed rate
 * @param text     the value as given (labels, folder names)
 */
record DropoutOption(double rate, AdaptiveRate adaptive, String text) {
    /** Where the controller starts: the seed model's rate. */
    static final double START = 0.5;

    private static final String ADAPTIVE = "adaptive";
    private static final String FORMS =
            "give a rate such as 0.5, or adaptive, or adaptive:LOWER:UPPER such as" + " adaptive:0.05:0.6";

    static DropoutOption parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (!t.startsWith(ADAPTIVE)) {
            return new DropoutOption(number(text, t), null, text.trim());
        }
        String[] parts = t.split(":", -1);
        if (!parts[0].equals(ADAPTIVE) || (parts.length != 1 && parts.length != 3)) {
            throw new UsageException("--dropout '" + text + "' is not a dropout setting: " + FORMS);
        }
        try {
            AdaptiveRate.Builder b;
            if (parts.length == 1) {
                b = AdaptiveRate.from(START);
            } else {
                double lower = number(text, parts[1]);
                double upper = number(text, parts[2]);
                b = AdaptiveRate.from(lower <= upper ? Math.min(upper, Math.max(lower, START)) : START)
                        .bounds(lower, upper);
            }
            AdaptiveRate rate = b.build();
            return new DropoutOption(rate.rate(), rate, text.trim());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--dropout '" + text + "': " + e.getMessage());
        }
    }

    private static double number(String text, String part) {
        try {
            double x = Double.parseDouble(part);
            if (Double.isNaN(x) || Double.isInfinite(x)) {
                throw new NumberFormatException();
            }
            return x;
        } catch (NumberFormatException e) {
            throw new UsageException("--dropout '" + text + "' is not a dropout setting: " + FORMS);
        }
    }

    boolean isAdaptive() {
        return adaptive != null;
    }

    @Override
    public String toString() {
        return text;
    }
}
