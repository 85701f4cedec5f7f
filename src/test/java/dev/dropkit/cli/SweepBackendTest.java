package dev.dropkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/**
 * {@code ./run sweep --parallelism/--backend/--resume}: concurrent trials give the one-slot tables, the finished-trials
 * folder is gone after a complete sweep, and bad settings are one-line errors with status 2.
 */
class SweepBackendTest {
    @TempDir
    static Path shared;

    static Path data;

    @TempDir
    Path tmp;

    /** The same generated .gz IDX files as {@link MainTest}'s. */
    @BeforeAll
    static void writeData() throws IOException {
        data = MainTest.writeIdxGz(shared, 3);
    }

    /** A sweep of dropout 0 and 0.5 over two seeds, into {@code out}. */
    private String[] sweep(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("--seeds", "2"));
        args.addAll(List.of(more));
        return args(out, "0,0.5", args.toArray(String[]::new));
    }

    /** A sweep of four dropout rates (one seed each), e.g. for a search, into {@code out}. */
    private String[] search(Path out, String... more) {
        return args(out, "0,0.25,0.5,0.75", more);
    }

    private static String[] args(Path out, String dropout, String... more) {
        List<String> rest = new ArrayList<>(List.of("--dropout", dropout));
        rest.addAll(List.of(more));
        return MainTest.command("sweep", data, out, rest.toArray(String[]::new));
    }

    private static String untimed(Path run, String file) {
        Table t = Table.read().csv(run.resolve(file).toString());
        for (String c : List.copyOf(t.columnNames())) {
            if (c.contains("seconds")) {
                t.removeColumns(c);
            }
        }
        return t.printAll();
    }

    @Test
    void twoSlotsWriteTheOneSlotTables() throws IOException {
        MainTest.Result one = MainTest.run(sweep(tmp.resolve("one"), "--parallelism", "1"));
        assertEquals(0, one.status(), one.err());
        MainTest.Result two = MainTest.run(sweep(tmp.resolve("two"), "--parallelism", "2"));
        assertEquals(0, two.status(), two.err());
        assertTrue(two.out().contains("backend local:2"), two.out());
        assertTrue(two.out().contains("[4/4]"), two.out());
        assertEquals(untimed(tmp.resolve("one"), "history.csv"), untimed(tmp.resolve("two"), "history.csv"));
        assertEquals(untimed(tmp.resolve("one"), "summary.csv"), untimed(tmp.resolve("two"), "summary.csv"));
        assertFalse(Files.exists(tmp.resolve("two.trials")), "a complete sweep removes its finished-trials folder");
    }

    @Test
    void badBackendSettingsAreOneLineErrors() {
        expect(sweep(tmp.resolve("a"), "--backend", "mesos"), "unknown backend 'mesos'");
        expect(sweep(tmp.resolve("b"), "--backend", "spark:nowhere"), "is malformed");
        expect(sweep(tmp.resolve("c"), "--parallelism", "0"), "parallelism 0 is outside");
        expect(sweep(tmp.resolve("d"), "--parallelism", "two"), "--parallelism 'two' is not a whole number");
        expect(sweep(tmp.resolve("e"), "--backend", "spark:local[2]", "--parallelism", "2"), "the master decides");
        // The unit tests' class path has no Spark backend: the error names the command that installs it.
        expect(sweep(tmp.resolve("f"), "--backend", "spark:local[2]"), "./run setup --with-spark");
        expect(sweep(tmp.resolve("g"), "--resume"), "holds no finished trials");
        String[] noOut = sweep(tmp.resolve("h"), "--resume");
        List<String> withoutOut = new ArrayList<>(List.of(noOut));
        int i = withoutOut.indexOf("--out");
        withoutOut.remove(i + 1);
        withoutOut.remove(i);
        expect(withoutOut.toArray(String[]::new), "--resume needs --out DIR");
        for (String name : List.of("a", "b", "c", "d", "e", "f", "g", "h")) {
            assertFalse(Files.exists(tmp.resolve(name + ".trials")), "no finished-trials folder left by a bad call");
        }
    }

    @Test
    void aSearchWritesItsRungsAndItsChoice() {
        for (String kind : List.of("halving", "asha")) {
            MainTest.Result r = MainTest.run(search(tmp.resolve(kind), "--search", kind));
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().contains("chosen on validation accuracy"), r.out());
            Table rungs =
                    Table.read().csv(tmp.resolve(kind).resolve("rungs.csv").toString());
            assertEquals(4, rungs.where(rungs.intColumn("rung").isEqualTo(1)).rowCount(), "all four values start");
            assertTrue(rungs.intColumn("rung").max() >= 2, kind + ": someone is promoted");
            assertTrue(Files.exists(tmp.resolve(kind).resolve("history.csv")));
        }
    }

    @Test
    void badSearchSettingsAreOneLineErrors() {
        expect(search(tmp.resolve("a"), "--search", "grid"), "--search 'grid' is not a search");
        expect(search(tmp.resolve("b"), "--search", "halving", "--seeds", "2"), "ranks one run per value");
        expect(search(tmp.resolve("c"), "--search", "asha", "--budget-epochs", "4"), "ASHA's rungs run up to");
        expect(search(tmp.resolve("d"), "--budget-epochs", "4"), "add --search halving");
        expect(search(tmp.resolve("e"), "--search", "halving", "--budget-epochs", "0"), "must be at least 1");
        for (String name : List.of("a", "b", "c", "d", "e")) {
            assertFalse(Files.exists(tmp.resolve(name)), "no output folder left by a bad call");
        }
    }

    private static void expect(String[] args, String expected) {
        MainTest.Result r = MainTest.run(args);
        assertEquals(2, r.status(), String.join(" ", args) + " -> " + r.err() + r.out());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.contains(expected), "'" + err + "' should contain '" + expected + "'");
    }
}
