package dev.dropkit.plot;

import java.awt.Color;
import java.awt.Font;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;

/**
 * The look every chart of the toolkit shares: the Okabe–Ito colour-blind-safe palette, readable labels for the
 * library's own columns, percent axes for accuracies and integer ticks for counts, legends outside the plot on the
 * right (so they never cover lines or get clipped).
 */
public final class HouseStyle {
    private HouseStyle() {}

    /** Okabe &amp; Ito's palette (distinguishable with the common colour-vision deficiencies), blue first. */
    public static final Color[] PALETTE = {
        new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73), new Color(0xD55E00),
        new Color(0xCC79A7), new Color(0x56B4E9), new Color(0xF0E442), new Color(0x000000)
    };

    /** Readable names of the library's own columns (history, run summary, benchmarks). */
    private static final Map<String, String> LABELS = Map.ofEntries(
            Map.entry("epoch", "Epoch"),
            Map.entry("epochs", "Epochs"),
            Map.entry("train_loss", "Training loss"),
            Map.entry("val_loss", "Validation loss"),
            Map.entry("train_accuracy", "Training accuracy"),
            Map.entry("val_accuracy", "Validation accuracy"),
            Map.entry("test_accuracy", "Test accuracy"),
            Map.entry("weight_norm", "Weight norm"),
            Map.entry("seconds", "Seconds per epoch"),
            Map.entry("cumulative_seconds", "Training time (s)"),
            Map.entry("final_test_accuracy", "Final test accuracy"),
            Map.entry("final_train_accuracy", "Final training accuracy"),
            Map.entry("best_test_accuracy", "Best test accuracy"),
            Map.entry("final_val_accuracy", "Final validation accuracy"),
            Map.entry("best_val_accuracy", "Best validation accuracy"),
            Map.entry("final_gap", "Train–test gap"),
            Map.entry("median_epoch_seconds", "Median seconds per epoch"),
            Map.entry("total_seconds", "Total training time (s)"),
            Map.entry("epochs_to_target", "Epochs to target"),
            Map.entry("seconds_to_target", "Seconds to target"),
            Map.entry("speed_up", "Speed-up"),
            Map.entry("efficiency", "Parallel efficiency"),
            Map.entry("workers", "Workers"),
            Map.entry("threads", "Threads"),
            Map.entry("dropout", "Dropout rate"),
            Map.entry("lr", "Learning rate"),
            Map.entry("learning_rate", "Learning rate"),
            Map.entry("batch_size", "Batch size"),
            Map.entry("momentum", "Momentum"),
            Map.entry("weight_decay", "Weight decay"),
            Map.entry("hidden", "Hidden units"),
            Map.entry("run", "Run"));

    /** Columns counted in whole numbers (integer ticks). */
    private static final Set<String> COUNTS =
            Set.of("epoch", "epochs", "workers", "threads", "hidden", "batch_size", "epochs_to_target", "examples");

    /** The readable name of a column: the library's own name for it, else the column name in words. */
    public static String label(String column) {
        String known = LABELS.get(column);
        if (known != null) {
            return known;
        }
        String words = column.replace('_', ' ').trim();
        return words.isEmpty() ? column : words.substring(0, 1).toUpperCase(Locale.ROOT) + words.substring(1);
    }

    /** Whether the column holds fractions shown as percentages (accuracies, efficiencies, gaps). */
    public static boolean isPercent(String column) {
        return column.contains("accuracy")
                || column.contains("efficiency")
                || column.endsWith("_gap")
                || column.equals("final_gap");
    }

    /** Whether the column counts things (integer ticks only). */
    public static boolean isCount(String column) {
        return COUNTS.contains(column);
    }

    /** Palette, fonts and legend placement common to every chart. */
    static void apply(Styler styler) {
        styler.setSeriesColors(PALETTE);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        styler.setLegendPosition(Styler.LegendPosition.OutsideE);
        styler.setLegendLayout(Styler.LegendLayout.Vertical);
        styler.setLegendBorderColor(Color.WHITE);
        styler.setChartTitleBoxVisible(false);
        styler.setPlotBorderVisible(false);
        if (styler instanceof AxesChartStyler axes) {
            axes.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            axes.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        }
    }

    /** Tick labels for whole numbers only: a tick between two integers gets no label. */
    static String integerTick(Double value) {
        if (value == null || Math.abs(value - Math.rint(value)) > 1e-9) {
            return " ";
        }
        return String.format(Locale.ROOT, "%,d", Math.round(value));
    }

    /** Percent ticks: 97% (or 97.5% when the axis spans less than a few points). */
    static String percentPattern(double span) {
        return span < 0.05 ? "0.0%" : "0%";
    }
}
