package dev.dropkit.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/** Reads a CSV file with a header line into a Tablesaw {@link Table}, with one-line errors that name the line. */
public final class Csv {
    private Csv() {}

    /** The file as a table (column types guessed by Tablesaw); a bad file gets a {@link DataException}. */
    public static Table read(Path file) {
        int columns = checkShape(file);
        try {
            Table table = Table.read().usingOptions(CsvReadOptions.builder(file.toFile()).header(true)
                    .maxNumberOfColumns(Math.max(10_000, columns + 1)).sample(false).tableName(file.toString()));
            return table;
        } catch (RuntimeException e) {
            throw new DataException("cannot read " + file + " as CSV (" + Main.oneLine(e.getMessage())
                    + "): give a header line of column names and one line of comma-separated values per example");
        }
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
                throw new DataException(file + " is empty: give a header line of column names and one line per example");
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
