package dev.dropkit.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class TableHtmlTest {
    private static Table numbers(int rows) {
        return Table.create(
                "numbers", IntColumn.create("n", IntStream.range(0, rows).toArray()));
    }

    private static int count(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    @Test
    void shortTableShowsEveryRowAndTheCount() {
        String html = TableHtml.html(numbers(12));
        assertEquals(12 + 1, count(html, "<tr>"), "12 rows plus the header");
        assertTrue(html.contains("<caption>numbers</caption>"));
        assertTrue(html.contains("12 rows &times; 1 column"));
    }

    @Test
    void longTableShowsHeadAndTailAroundTheNumberLeftOut() {
        String html = TableHtml.html(numbers(5000));
        assertEquals(1 + TableHtml.HEAD + 1 + TableHtml.TAIL, count(html, "<tr>"));
        assertTrue(html.contains("<td>0</td>") && html.contains("<td>9</td>"), "head");
        assertFalse(html.contains("<td>10</td>"), "the middle is left out");
        assertTrue(html.contains("<td>4995</td>") && html.contains("<td>4999</td>"), "tail");
        assertTrue(html.contains((5000 - TableHtml.HEAD - TableHtml.TAIL) + " more rows"));
        assertTrue(html.contains("5000 rows"));
    }

    @Test
    void plainTextOfALongTableIsShortToo() {
        String text = TableHtml.text(numbers(5000));
        assertTrue(text.lines().count() < 40, text);
        assertTrue(text.endsWith("5000 rows"));
    }

    @Test
    void cellsAndNamesAreEscaped() {
        Table t = Table.create("a<b>", StringColumn.create("x&y", new String[] {"<script>", "\"q\""}));
        String html = TableHtml.html(t);
        assertFalse(html.contains("<script>"));
        assertTrue(html.contains("&lt;script&gt;") && html.contains("x&amp;y") && html.contains("&quot;q&quot;"));
    }
}
