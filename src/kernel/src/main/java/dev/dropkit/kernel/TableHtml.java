package dev.dropkit.kernel;

import java.util.List;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * A Tablesaw table as an HTML table and as plain text. Long tables show their first and last rows around a row
 * that says how many were left out, never thousands of rows.
 */
final class TableHtml {
    /** Tables up to this many rows are shown whole. */
    static final int MAX_ROWS = 30;

    static final int HEAD = 10;
    static final int TAIL = 5;

    private TableHtml() {}

    static String html(Table table) {
        int rows = table.rowCount();
        List<Column<?>> columns = table.columns();
        StringBuilder sb = new StringBuilder(256 + 64 * Math.min(rows, MAX_ROWS) * Math.max(1, columns.size()));
        sb.append("<table class=\"dropkit-table\">");
        if (table.name() != null && !table.name().isBlank()) {
            sb.append("<caption>").append(escape(table.name())).append("</caption>");
        }
        sb.append("<thead><tr>");
        for (Column<?> c : columns) {
            sb.append("<th>").append(escape(c.name())).append("</th>");
        }
        sb.append("</tr></thead><tbody>");
        boolean cut = rows > MAX_ROWS;
        int head = cut ? HEAD : rows;
        for (int r = 0; r < head; r++) {
            row(sb, columns, r);
        }
        if (cut) {
            sb.append("<tr><td colspan=\"")
                    .append(Math.max(1, columns.size()))
                    .append("\">&#8942; ")
                    .append(rows - HEAD - TAIL)
                    .append(" more rows &#8942;</td></tr>");
            for (int r = rows - TAIL; r < rows; r++) {
                row(sb, columns, r);
            }
        }
        sb.append("</tbody></table>");
        sb.append("<p><small>")
                .append(rows)
                .append(rows == 1 ? " row" : " rows")
                .append(" &times; ")
                .append(columns.size())
                .append(columns.size() == 1 ? " column" : " columns")
                .append("</small></p>");
        return sb.toString();
    }

    private static void row(StringBuilder sb, List<Column<?>> columns, int r) {
        sb.append("<tr>");
        for (Column<?> c : columns) {
            sb.append("<td>").append(escape(c.getString(r))).append("</td>");
        }
        sb.append("</tr>");
    }

    static String text(Table table) {
        int rows = table.rowCount();
        if (rows <= MAX_ROWS) {
            return table.print(rows) + "\n" + rows + (rows == 1 ? " row" : " rows");
        }
        return table.first(HEAD).print(HEAD) + "\n... " + (rows - HEAD - TAIL) + " more rows ...\n"
                + table.last(TAIL).print(TAIL) + "\n" + rows + " rows";
    }

    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }
}
