package dev.dropkit.cli;

import dev.dropkit.data.DataException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CancellationException;

/**
 * {@code ./run train}, {@code ./run sweep} and {@code ./run evaluate}: quick exploratory runs without Jupyter, through the same library as
 * the notebooks. {@link #run} returns the exit status instead of exiting, so tests call it directly.
 *
 * <p>Exit status: 0 done; 2 a bad option or input (one line on stderr names it and the fix); 1 any other failure
 * (one line; {@code DROPKIT_DEBUG=1} adds the stack trace); 130 interrupted.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs {@code train ...} or {@code sweep ...}; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        String command = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        if (!command.equals("train") && !command.equals("sweep") && !command.equals("evaluate")) {
            err.println("dropkit: unknown command '" + command + "': use train, sweep or evaluate (e.g. ./run train "
                    + "--help)");
            return 2;
        }
        try {
            if (command.equals("evaluate")) {
                new Evaluate(rest, out).run();
                return 0;
            }
            Options options = Options.parse(rest);
            if (options.help()) {
                out.print(Options.usage(command));
                return 0;
            }
            new Experiment(command, options, out).run();
            return 0;
        } catch (UsageException | IllegalArgumentException | DataException e) {
            err.println(command + ": error: " + oneLine(e.getMessage()));
            return 2;
        } catch (CancellationException e) {
            err.println(command + ": interrupted (" + oneLine(e.getMessage()) + "); no results were written");
            return 130;
        } catch (RuntimeException | Error e) {
            err.println(command + ": failed: " + e.getClass().getSimpleName() + ": " + oneLine(e.getMessage())
                    + (debug() ? "" : " (set DROPKIT_DEBUG=1 for the stack trace)"));
            if (debug()) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static boolean debug() {
        String d = System.getenv("DROPKIT_DEBUG");
        return d != null
                && !d.isBlank()
                && !d.equals("0")
                && !d.toLowerCase(Locale.ROOT).equals("false");
    }
}
