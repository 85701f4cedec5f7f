package dev.dropkit.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class SessionImportsTest {
    private static final String USES_DEFAULTS = "new ArrayList<>(List.of(1, 2)).size() + Stream.of(1).count()"
            + " + BigInteger.ONE.intValue() + (Files.exists(Paths.get(\"/\")) ? 1 : 0)"
            + " + Pattern.compile(\"a\").pattern().length()";

    @Test
    void cellsHaveJShellsDefaultImportsAndKeepThemAfterImportingThemAgain() throws Exception {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true);
        try (Session s = new Session(sink, sink)) {
            assertEquals(6L, s.eval(USES_DEFAULTS, 1));
            s.eval("import java.util.*;", 2);
            s.eval("import java.io.*;", 3);
            s.eval("import java.util.stream.*;", 4);
            assertEquals(6L, s.eval(USES_DEFAULTS, 5), "a repeated import replaces none of the defaults");
            // the notebook API is still imported (it compiles; it would throw outside the kernel)
            assertEquals(
                    "java.lang.String",
                    s.eval(
                            "var f = (java.util.function.Function<Object, String>) o -> "
                                    + "display(o);\nf.getClass().getName().isEmpty() ? \"\" : \"java.lang.String\"",
                            6));
        }
    }
}
