package dev.dropkit.kernel;

import java.util.List;

/**
 * A cell failed: the kernel reports {@link #name()} as the error's {@code ename}, the message as {@code evalue}
 * and {@link #traceback()} as its lines. Subclasses only exist so that the protocol library, which names an error
 * after its exception class, shows a useful name.
 */
abstract class CellException extends Exception {
    private final List<String> traceback;

    CellException(String message, List<String> traceback) {
        super(message, null, false, false);
        this.traceback = List.copyOf(traceback);
    }

    List<String> traceback() {
        return traceback;
    }

    /** The cell did not compile. */
    static final class CompilationException extends CellException {
        CompilationException(String message, List<String> traceback) {
            super(message, traceback);
        }
    }

    /** The cell threw a {@link Throwable} that is not an {@link Exception} (e.g. ExceptionInInitializerError). */
    static final class UncaughtError extends CellException {
        UncaughtError(String message, List<String> traceback) {
            super(message, traceback);
        }
    }

    /** The cell was interrupted and its thread stopped. */
    static final class InterruptedCell extends CellException {
        InterruptedCell(String message, List<String> traceback) {
            super(message, traceback);
        }
    }

    /** A magic (%maven, %jars, %classpath) could not do what it was asked. */
    static final class MagicException extends CellException {
        MagicException(String message) {
            super(message, List.of("MagicException: " + message));
        }
    }
}
