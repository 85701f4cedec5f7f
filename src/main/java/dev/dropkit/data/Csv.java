package dev.dropkit.data;

import dev.dropkit.AtomicFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/** Reads a CSV file with a header line into a Tablesaw {@link Table}, with one-line errors that name the line. */
public final class Csv {
    private Csv() {}

    /** The file as a table (column types guessed by Tablesaw); a bad file gets a {@link DataException}. */
    public static Table read(Path file) {
        int columns = checkShape(file);
        try {
            // Numbers as float (what the features become anyway), anything else as text; the types are guessed
            // from a sample of the lines, so a text value further down is reported by the parser with its row.
            Table table = Table.read()
                    .usingOptions(CsvReadOptions.builder(file.toFile())
                            .header(true)
                            .maxNumberOfColumns(Math.max(10_000, columns + 1))
                            .columnTypesToDetect(List.of(ColumnType.FLOAT, ColumnType.STRING))
                            .tableName(file.toString()));
            return table;
        } catch (RuntimeException e) {
            throw new DataException("cannot read " + file + " as CSV (" + Main.oneLine(e.getMessage())
                    + "): give a header line of column names and one line of comma-separated values per example");
        }
    }

    /**
     * Writes the training examples of {@code data} as a CSV file: a header {@code x1,...,xN,<labelColumn>}, then one
     * line per example with its raw feature values (the data's scaling undone, e.g. pixels 0–255) and its class
     * name. Written to a temporary file and moved into place, so an interrupted write leaves nothing half-written.
     *
     * @return the number of lines of examples written
     */
    public static int write(ImageData data, Path file, String labelColumn) {
        float[] x = data.trainX().toFloatArray();
        long[] y = data.trainY().toLongArray();
        int n = y.length;
        int features = data.features();
        FeatureScaling s = data.scaling();
        java.util.List<String> names = data.classNames();
        AtomicFiles.write(file, tmp -> {
            try (var out = new java.io.BufferedWriter(
                    new java.io.OutputStreamWriter(Files.newOutputStream(tmp), StandardCharsets.UTF_8), 1 << 16)) {
                StringBuilder line = new StringBuilder();
                for (int j = 1; j <= features; j++) {
                    line.append('x').append(j).append(',');
                }
                out.write(line.append(quote(labelColumn)).append('\n').toString());
                for (int i = 0; i < n; i++) {
                    line.setLength(0);
                    for (int j = 0; j < features; j++) {
                        int k = s.offset().length == 1 ? 0 : j;
                        double raw = (double) x[i * features + j] * s.divisor()[k] + s.offset()[k];
                        double whole = Math.rint(raw);
                        line.append(
                                        Math.abs(raw - whole) < 1e-3
                                                ? Long.toString((long) whole)
                                                : Float.toString((float) raw))
                                .append(',');
                    }
                    out.write(line.append(quote(names.get((int) y[i])))
                            .append('\n')
                            .toString());
                }
            }
        });
        return n;
    }

    private static String quote(String field) {
        return field.contains(",") || field.contains("\"") ? '"' + field.replace("\"", "\"\"") + '"' : field;
    }

    /**
     * Checks that the file exists, is not empty and that every line has as many fields as the header (simple
     * comma counting outside double quotes); returns the number of columns.
     */
    static int checkShape(Path file) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            while (header != null && header.isBlank()) {
                header = in.readLine();
            }
            if (header == null) {
                throw new DataException(
                        file + " is empty: give a header line of column names and one line per example");
            }
            int columns = fields(header);
            int lineNumber = 1;
            int rows = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                rows++;
                int n = fields(line);
                if (n != columns) {
                    throw new DataException(file + ": line " + lineNumber + " has " + n + " values but the header has "
                            + columns + " columns: every line needs one value per column");
                }
            }
            if (rows == 0) {
                throw new DataException(file + " has a header but no data lines: give one line per example");
            }
            return columns;
        } catch (NoSuchFileException e) {
            throw new DataException("there is no file " + file + ": check the path");
        } catch (IOException e) {
            throw new DataException("cannot read " + file + " (" + e.getMessage() + ")");
        }
    }

    private static int fields(String line) {
        int n = 1;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                n++;
            }
        }
        return n;
    }

    /** One line of a message. */
    private static final class Main {
        static String oneLine(String message) {
            return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
        }
    }
}
