package dev.dropkit.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dropkit.train.History;
import java.util.List;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Methods' outcomes and costs on hand-made histories (no training): what is chosen, counted and concluded. */
class MethodCostTest {
    /** {@code epochs} epochs of one second each, validation accuracy rising 0.03 per epoch to {@code last}. */
    static Table history(String run, long seed, int epochs, double last) {
        Table t = Table.create(
                run,
                StringColumn.create(History.RUN),
                DoubleColumn.create("dropout"),
                IntColumn.create(History.EPOCH),
                DoubleColumn.create(History.TRAIN_ACCURACY),
                DoubleColumn.create(History.VAL_LOSS),
                DoubleColumn.create(History.VAL_ACCURACY),
                DoubleColumn.create(History.TEST_ACCURACY),
                DoubleColumn.create(History.SECONDS),
                DoubleColumn.create(History.CUMULATIVE_SECONDS),
                LongColumn.create(RunSummary.SEED));
        for (int e = 1; e <= epochs; e++) {
            double val = last - 0.03 * (epochs - e);
            t.stringColumn(History.RUN).append(run);
            t.doubleColumn("dropout").append(0.5);
            t.intColumn(History.EPOCH).append(e);
            t.doubleColumn(History.TRAIN_ACCURACY).append(val + 0.02);
            t.doubleColumn(History.VAL_LOSS).append(1 - val);
            t.doubleColumn(History.VAL_ACCURACY).append(val);
            t.doubleColumn(History.TEST_ACCURACY).append(val - 0.01);
            t.doubleColumn(History.SECONDS).append(1.0);
            t.doubleColumn(History.CUMULATIVE_SECONDS).append(e);
            t.longColumn(RunSummary.SEED).append(seed);
        }
        return t;
    }

    static Table stack(Table... tables) {
        return Sweep.stack("runs", List.of(tables));
    }

    private static MethodCost costs() {
        Table grid = stack(
                history("p=0.0", 1, 4, 0.90),
                history("p=0.0", 2, 4, 0.91),
                history("p=0.5", 1, 4, 0.95),
                history("p=0.5", 2, 4, 0.96));
        Table adaptive = stack(
                history("controller", 1, 4, 0.955),
                history("controller", 2, 4, 0.95),
                history("weak", 1, 4, 0.80),
                history("weak", 2, 4, 0.81));
        MethodCost costs = MethodCost.of(0.93).addGrid("grid", grid).addEach(adaptive);
        for (long seed = 1; seed <= 2; seed++) {
            Table trained = stack(history("a", seed, 3, 0.9), history("b", seed, 3, 0.92), history("c", seed, 2, 0.94));
            costs.add("search", seed, history("c", seed, 2, 0.94 + seed * 0.005), trained);
        }
        return costs;
    }

    @Test
    void theGridDeliversItsBestRateAndCostsEveryRate() {
        MethodCost costs = costs();
        assertEquals("p=0.5", costs.chosen("grid"));
        Table t = costs.table();
        assertEquals(
                List.of("grid", "controller", "weak", "search"),
                t.stringColumn(MethodCost.METHOD).asList());
        assertEquals(0.955, t.doubleColumn(RunSummary.FINAL_VAL_ACCURACY).get(0), 1e-12);
        assertEquals(8, t.doubleColumn(MethodCost.COST_EPOCHS).get(0), 1e-12);
        assertEquals(8, t.doubleColumn(MethodCost.COST_SECONDS).get(0), 1e-12);
        assertEquals(2, t.doubleColumn(MethodCost.COST_RUN_EPOCHS).get(0), 1e-12);
        assertEquals(1, t.doubleColumn(MethodCost.COST_RUN_EPOCHS).get(1), 1e-12);
        assertEquals(2, t.doubleColumn(MethodCost.COST_RUN_EPOCHS).get(3), 1e-12, "8 epochs trained per seed");
        assertEquals(0.9525, t.doubleColumn(RunSummary.FINAL_VAL_ACCURACY).get(1), 1e-12);
        assertEquals(0.5, t.doubleColumn(MethodCost.FINAL_DROPOUT).get(1), 1e-12);
        assertEquals(4, t.doubleColumn(RunSummary.EPOCHS_TO_TARGET).get(0), 1e-12, "0.92 after epoch 3, 0.95 after 4");
        assertEquals(0, t.intColumn(RunSummary.REACHED_TARGET).get(2), "the weak method never reaches 0.93");
        assertTrue(t.doubleColumn(RunSummary.EPOCHS_TO_TARGET).isMissing(2));
        Table perSeed = costs.perSeed();
        assertEquals(8, perSeed.rowCount(), "one row per method and seed");
        assertEquals(8, perSeed.doubleColumn(MethodCost.COST_SECONDS).get(0), 1e-12, "the grid's mean cost");
        assertEquals(0.955, perSeed.doubleColumn(RunSummary.FINAL_VAL_ACCURACY).get(2), 1e-12, "controller, seed 1");
    }

    @Test
    void theGoalIsMetWithinTheSpreadAtTheCostAndSaysWhereOthersFallShort() {
        MethodCost costs = costs();
        String goal = costs.goal("grid", 1.2);
        String[] lines = goal.split("\n");
        assertEquals(3, lines.length, goal);
        assertTrue(
                lines[0].startsWith("controller: cost 1.00 training runs (within 1.20); no measurable difference"),
                lines[0]);
        assertTrue(lines[0].endsWith("-> goal met"), lines[0]);
        assertTrue(
                lines[1].contains("grid beats weak")
                        && lines[1].endsWith("falls short: less accurate beyond the" + " spread"),
                lines[1]);
        assertTrue(
                lines[2].startsWith("search: cost 2.00 training runs (above 1.20)") && lines[2].contains("too dear"),
                lines[2]);
        assertEquals(List.of("controller"), costs.goalMetBy("grid", 1.2));
        assertEquals(List.of(), costs.goalMetBy("grid", 1.2, "weak", "search"), "only the ones asked about");
        Table slow = history("slow", 1, 4, 0.955);
        slow.doubleColumn(History.SECONDS).set(0, 2.0); // 5 s for 4 epochs: 1.25 runs in seconds, 1 in epochs
        costs.add("slow", 1, slow, slow);
        assertEquals(1.25, costs.runs("slow"), 1e-12, "the larger of the two counts");
        assertTrue(costs.goal("grid", 1.2, "slow").contains("too dear"));
        assertTrue(costs.goalMetBy("grid", 0.5).isEmpty(), "nothing is that cheap");
        assertEquals(1, costs.goal("grid", 1.2, "search").split("\n").length);
    }

    @Test
    void outcomesAreLabelledByMethodForSummariesAndTheTestReport() {
        RunSummary summary = costs().summary();
        assertEquals(List.of("grid", "controller", "weak", "search"), summary.runs());
        assertEquals(0.945, summary.choice("grid").test().mean(), 1e-12);
        assertEquals("grid", summary.best());
    }

    @Test
    void badInputIsAOneLineError() {
        MethodCost costs = costs();
        Table one = history("x", 1, 2, 0.9);
        String twice = assertThrows(IllegalArgumentException.class, () -> costs.add("search", 1, one, one))
                .getMessage();
        assertTrue(twice.contains("already has seed 1"), twice);
        String unknown = assertThrows(IllegalArgumentException.class, () -> costs.seconds("nope"))
                .getMessage();
        assertTrue(unknown.contains("no method 'nope'"), unknown);
        String notGrid = assertThrows(IllegalArgumentException.class, () -> costs.chosen("search"))
                .getMessage();
        assertTrue(notGrid.contains("is not a grid"), notGrid);
        assertThrows(IllegalArgumentException.class, () -> costs.goal("grid", 1.2, "nope"));
        String empty = assertThrows(
                        IllegalStateException.class, () -> MethodCost.of(0.9).table())
                .getMessage();
        assertTrue(empty.contains("no methods added"), empty);
        assertThrows(
                IllegalStateException.class,
                () -> MethodCost.of(0.9).addEach(one.copy()).runs("x"));
    }
}
