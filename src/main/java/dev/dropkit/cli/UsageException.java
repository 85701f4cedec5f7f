package dev.dropkit.cli;

/** A command line the user must correct (unknown option, missing or malformed value); exit status 2. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
