package dev.dropkit.experiment;

/**
 * A finding about two configurations over their seeds, which formats itself: "A beats B by x (spread ±y)" only
 * when the difference of the means exceeds the spread, else "no measurable difference at this budget". The spread
 * is the sum of the two configurations' half min–max ranges over seeds, so a stated difference means the seed
 * ranges around the two means do not overlap; one seed shows no spread, so it never supports a finding.
 *
 * @param difference how much better {@code a} is than {@code b} (positive: a is better), in the measure's units
 * @param spread the half-ranges summed; NaN when a side has no value
 * @param measurable whether the text states a difference
 */
public record Comparison(
        String a,
        String b,
        Measure measure,
        Spread spreadA,
        Spread spreadB,
        double difference,
        double spread,
        boolean measurable,
        String text) {

    static Comparison of(String a, String b, Measure measure, Spread sa, Spread sb, int seedsA, int seedsB) {
        String what = " on " + measure;
        if (measure.toTarget() && (sa.n() < seedsA || sb.n() < seedsB)) {
            String missed = sa.n() < seedsA
                    ? a + " reached the target in " + sa.n() + " of " + seedsA + " seeds"
                    : b + " reached the target in " + sb.n() + " of " + seedsB + " seeds";
            return noFinding(
                    a,
                    b,
                    measure,
                    sa,
                    sb,
                    "no speed finding between " + a + " and " + b + ": " + missed
                            + " (a run that did not reach the target is a failure, not a speed)");
        }
        if (sa.n() == 0 || sb.n() == 0) {
            return noFinding(
                    a,
                    b,
                    measure,
                    sa,
                    sb,
                    "no finding between " + a + " and " + b + what
                            + ": nothing measured (build the data with a validation split)");
        }
        double diff = (sa.mean() - sb.mean()) * (measure.higherIsBetter() ? 1 : -1);
        double spread = sa.halfRange() + sb.halfRange();
        String seeds = sa.n() == sb.n()
                ? sa.n() + " seed" + (sa.n() == 1 ? "" : "s") + " each"
                : sa.n() + " and " + sb.n() + " seeds";
        if (sa.n() < 2 || sb.n() < 2) {
            return new Comparison(
                    a,
                    b,
                    measure,
                    sa,
                    sb,
                    diff,
                    Double.NaN,
                    false,
                    "no measurable difference at this "
                            + "budget between " + a + " and " + b + what + ": " + seeds
                            + " cannot show the seed-to-seed "
                            + "spread (run at least 2 seeds)");
        }
        if (Math.abs(diff) > spread) {
            String winner = diff > 0 ? a : b;
            String loser = diff > 0 ? b : a;
            return new Comparison(
                    a,
                    b,
                    measure,
                    sa,
                    sb,
                    diff,
                    spread,
                    true,
                    winner + " beats " + loser + what
                            + " by " + measure.amount(Math.abs(diff)) + " (spread ±" + measure.amount(spread) + "; "
                            + seeds
                            + ")");
        }
        return new Comparison(
                a,
                b,
                measure,
                sa,
                sb,
                diff,
                spread,
                false,
                "no measurable difference at this budget "
                        + "between " + a + " and " + b + what + ": " + measure.amount(Math.abs(diff))
                        + " apart, spread ±"
                        + measure.amount(spread) + " (" + seeds + ")");
    }

    @Override
    public String toString() {
        return text;
    }

    /** A comparison that states no difference: {@code text} says why. */
    private static Comparison noFinding(String a, String b, Measure measure, Spread sa, Spread sb, String text) {
        return new Comparison(a, b, measure, sa, sb, Double.NaN, Double.NaN, false, text);
    }
}
