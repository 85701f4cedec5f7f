package dev.dropkit.data;

/** A data problem the user can fix; the message is one line that names the file and the fix. */
public final class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }
}
