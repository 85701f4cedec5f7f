package dev.dropkit.kernel;

import java.util.UUID;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * IJava's notebook API, statically imported into every cell of the dropkit kernel: {@code display},
 * {@code render} and {@code updateDisplay} with IJava's signatures (the MIME types come last), so a notebook
 * written for IJava or JJava runs here unchanged and ours run there.
 */
public final class Notebook {
    private static volatile DropkitKernel kernel;

    private Notebook() {}

    static void attach(DropkitKernel k) {
        kernel = k;
    }

    private static DropkitKernel kernel() {
        DropkitKernel k = kernel;
        if (k == null) {
            throw new IllegalStateException("display works only inside the dropkit kernel");
        }
        return k;
    }

    /** Renders {@code o} with its preferred MIME types (text/plain always among them). */
    public static DisplayData render(Object o) {
        return kernel().renderAll(o);
    }

    /** Renders {@code o} as the given MIME types, e.g. {@code render(html, "text/html")}. */
    public static DisplayData render(Object o, String... mimeTypes) {
        return kernel().renderAs(o, mimeTypes);
    }

    /** Shows {@code o} below the cell; returns its display id (for {@link #updateDisplay}). */
    public static String display(Object o) {
        return show(render(o));
    }

    /** Shows {@code o} as the given MIME types; returns its display id. */
    public static String display(Object o, String... mimeTypes) {
        return show(render(o, mimeTypes));
    }

    /** Replaces what display {@code id} shows by {@code o}. */
    public static void updateDisplay(String id, Object o) {
        kernel().updateDisplay(id, render(o));
    }

    /** Replaces what display {@code id} shows by {@code o} as the given MIME types. */
    public static void updateDisplay(String id, Object o, String... mimeTypes) {
        kernel().updateDisplay(id, render(o, mimeTypes));
    }

    private static String show(DisplayData data) {
        String id = UUID.randomUUID().toString();
        DisplayData copy = new DisplayData(data);
        copy.setDisplayId(id);
        kernel().display(copy);
        return id;
    }
}
