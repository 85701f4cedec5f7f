package dev.dropkit.kernel;

import java.io.File;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;

/**
 * One JShell session evaluated in the kernel's JVM: runs a cell snippet by snippet, keeps the value of its last
 * expression, turns compile and runtime errors into {@link CellException}s whose lines point into the cell, and
 * answers completion, documentation and is-complete questions.
 */
final class Session implements AutoCloseable {
    /** Imported into every session: IJava's notebook API without imports. */
    static final String STATIC_API = "import static dev.dropkit.kernel.Notebook.*;";

    /**
     * The jshell tool's default imports (its DEFAULT start-up), which IJava and JJava cells have too: {@code List},
     * {@code Files}, {@code Collectors} and the like need no import.
     */
    static final List<String> DEFAULT_IMPORTS = List.of(
            "java.io",
            "java.math",
            "java.net",
            "java.nio.file",
            "java.util",
            "java.util.concurrent",
            "java.util.function",
            "java.util.prefs",
            "java.util.regex",
            "java.util.stream");

    /**
     * The notebook API and the default imports as one snippet: one compile instead of eleven (a quarter of the CPU
     * time at start). JShell keys an import snippet by its first import, so a cell that imports {@code java.util.*}
     * again adds a snippet of its own and this one stays; it leads with the kernel's own static import, which no
     * cell needs to repeat.
     */
    static final String START_IMPORTS = STATIC_API
            + DEFAULT_IMPORTS.stream().map(p -> " import " + p + ".*;").collect(Collectors.joining());

    private static final Pattern DISPLAY_CALL = Pattern.compile("^\\s*display\\s*\\(");

    private final StoppableExecution control;
    private final JShell shell;
    private final SourceCodeAnalysis analysis;
    /** Snippet id -> where it came from ("cell 3, line 2" is cell 3's execution count and the snippet's line). */
    private final Map<String, int[]> origins = new HashMap<>();

    private final List<String> classPath = new ArrayList<>();

    Session(PrintStream out, PrintStream err) {
        StoppableExecution.Provider provider = new StoppableExecution.Provider();
        control = provider.control();
        shell = JShell.builder()
                .executionEngine(provider, Map.of())
                .out(out)
                .err(err)
                .compilerOptions("-Xlint:none", "-proc:none")
                .build();
        analysis = shell.sourceCodeAnalysis();
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!entry.isBlank() && new File(entry).exists()) {
                shell.addToClasspath(entry);
            }
        }
        boolean together = shell.eval(START_IMPORTS).stream()
                .allMatch(e -> e.status() == Snippet.Status.VALID && e.exception() == null);
        if (!together) { // a JShell that takes one import per snippet only: the same, one by one
            shell.eval(STATIC_API);
            for (String pkg : DEFAULT_IMPORTS) {
                shell.eval("import " + pkg + ".*;");
            }
        }
    }

    /** Adds a jar or class folder for the next cells (compiler and class loader). */
    void addToClassPath(String path) {
        shell.addToClasspath(path);
        classPath.add(path);
    }

    /** Entries added with {@link #addToClassPath} (the kernel's own class path is not listed). */
    List<String> addedClassPath() {
        return List.copyOf(classPath);
    }

    /** Stops the running cell (interrupt, then stop its thread); returns at once. */
    void stop() {
        control.stop();
    }

    /**
     * Runs {@code code} (cell {@code count}) and returns the value of its last snippet when that is an expression
     * (null otherwise: statements, declarations, assignments, and {@code display(...)}, whose id is no result).
     */
    Object eval(String code, int count) throws Exception {
        Object value = null;
        int offset = 0;
        String remaining = code;
        while (!remaining.isBlank()) {
            CompletionInfo info = analysis.analyzeCompletion(remaining);
            String source = info.source();
            int consumed = remaining.length() - info.remaining().length();
            if (source == null
                    || info.completeness() == Completeness.DEFINITELY_INCOMPLETE
                    || info.completeness() == Completeness.CONSIDERED_INCOMPLETE) {
                int start = offset + leadingBlank(remaining);
                throw compileError(
                        code,
                        start,
                        start,
                        "the cell ends in the middle of a statement or block" + " (a missing ';', ')' or '}'?)");
            }
            // Without leading blank lines: JShell's positions and stack-trace line numbers then count from the
            // snippet's first character, which sits at start in the cell.
            String snippet = source.stripLeading();
            int start = offset + startOf(remaining, snippet);
            value = evalSnippet(code, snippet, start, count);
            offset += consumed;
            remaining = info.remaining();
        }
        return value;
    }

    private Object evalSnippet(String cell, String source, int start, int count) throws Exception {
        control.clearLast();
        List<SnippetEvent> events = shell.eval(source);
        Object value = null;
        for (SnippetEvent event : events) {
            Snippet snippet = event.snippet();
            if (event.causeSnippet() != null) {
                continue; // a dependent snippet changed status: not this cell's news
            }
            if (event.status() == Snippet.Status.REJECTED) {
                Diag diag = shell.diagnostics(snippet)
                        .filter(Diag::isError)
                        .findFirst()
                        .orElse(null);
                if (diag == null) {
                    throw compileError(cell, start, start, "the snippet was rejected");
                }
                int from = start + (int) Math.max(0, diag.getStartPosition());
                int at = start + (int) Math.max(0, diag.getPosition());
                throw compileError(cell, from, at, diag.getMessage(Locale.ROOT));
            }
            origins.put(snippet.id(), new int[] {count, lineOf(cell, start)});
            if (event.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED
                    || event.status() == Snippet.Status.RECOVERABLE_DEFINED) {
                String missing = shell.unresolvedDependencies((jdk.jshell.DeclarationSnippet) snippet)
                        .collect(Collectors.joining(", "));
                System.err.println("note: "
                        + snippet.source().lines().findFirst().orElse("").strip() + " cannot be used until " + missing
                        + " is declared");
            }
            if (event.exception() != null) {
                throw runtimeError(event.exception());
            }
            if (control.lastStopped()) {
                String text = "interrupted: the cell did not stop by itself within " + StoppableExecution.GRACE_MILLIS
                        + " ms, so its thread was stopped";
                throw new CellException.InterruptedCell(text, List.of("Interrupted: " + text));
            }
            // The value of an expression is the cell's result; an assignment (x = display(...)) shows nothing, as
            // a declaration does not, and display(...)'s id is no result worth showing either.
            boolean expression =
                    snippet instanceof ExpressionSnippet && snippet.subKind() != Snippet.SubKind.ASSIGNMENT_SUBKIND
                            || snippet instanceof VarSnippet var
                                    && var.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
            value = expression && !DISPLAY_CALL.matcher(source).find() ? control.lastValue() : null;
        }
        return value;
    }

    // ---------------------------------------------------------------- errors

    private static CellException compileError(String cell, int from, int at, String message) {
        int line = lineOf(cell, at);
        int lineStart = cell.lastIndexOf('\n', Math.max(0, at - 1)) + 1;
        if (at == 0) {
            lineStart = 0;
        }
        int lineEnd = cell.indexOf('\n', lineStart);
        String text = cell.substring(lineStart, lineEnd < 0 ? cell.length() : lineEnd);
        int column = Math.min(Math.max(0, at - lineStart), text.length());
        String caret = " ".repeat(column) + "^";
        List<String> lines = new ArrayList<>();
        lines.add("line " + line + ": " + message.lines().findFirst().orElse(message));
        message.lines()
                .skip(1)
                .filter(l -> !l.strip().equals("location: class"))
                .forEach(lines::add);
        lines.add(text);
        lines.add(caret);
        return new CellException.CompilationException(String.join("\n", lines), lines);
    }

    /**
     * The exception to report: the one the cell threw, as thrown, with the traceback lines in {@link #lastTrace}.
     * Frames of the kernel, JShell and reflection are left out; frames of snippets name the cell and line.
     */
    private Exception runtimeError(JShellException jshellError) {
        if (jshellError instanceof UnresolvedReferenceException unresolved) {
            String missing =
                    shell.unresolvedDependencies(unresolved.getSnippet()).collect(Collectors.joining(", "));
            String text = "cannot run "
                    + unresolved
                            .getSnippet()
                            .source()
                            .lines()
                            .findFirst()
                            .orElse("")
                            .strip() + ": " + missing + " is not declared";
            return new CellException.UncaughtError(text, List.of("UnresolvedReference: " + text));
        }
        Throwable original = control.lastThrown();
        List<String> trace = traceOf(jshellError, original);
        lastTrace = trace;
        if (original instanceof ThreadDeath) {
            String text = "the cell was interrupted and its thread stopped";
            return new CellException.InterruptedCell(text, trace);
        }
        if (original instanceof Exception e) {
            lastReported = e;
            return e;
        }
        String text = headline(jshellError, original);
        return new CellException.UncaughtError(text, trace);
    }

    private volatile List<String> lastTrace = List.of();
    private volatile Exception lastReported;

    /** The traceback of {@code e} if it is the exception the last cell threw, else null. */
    List<String> traceFor(Throwable e) {
        return e == lastReported ? lastTrace : null;
    }

    private static String headline(JShellException jshellError, Throwable original) {
        String name = original != null
                ? original.getClass().getName()
                : jshellError instanceof EvalException ev ? ev.getExceptionClassName() : "Exception";
        String message = original != null ? original.getMessage() : jshellError.getMessage();
        return message == null ? name : name + ": " + message;
    }

    private List<String> traceOf(JShellException jshellError, Throwable original) {
        List<String> lines = new ArrayList<>();
        // The toolkit's own errors are one line that names the problem and the fix: show that line only.
        if (original instanceof IllegalArgumentException && fromToolkit(original)) {
            lines.add(original.getClass().getSimpleName() + ": " + original.getMessage());
            return lines;
        }
        Throwable t = jshellError;
        String prefix = "";
        int depth = 0;
        while (t != null && depth++ < 5) {
            String name = t instanceof EvalException ev
                    ? ev.getExceptionClassName()
                    : t.getClass().getName();
            String message = t.getMessage();
            lines.add(prefix + name + (message == null ? "" : ": " + message));
            StackTraceElement[] frames = t.getStackTrace();
            int end = frames.length;
            for (int i = frames.length - 1; i >= 0; i--) {
                if (isSnippet(frames[i])) {
                    end = i + 1; // below the cell's own frames: JShell and the kernel calling it
                    break;
                }
            }
            for (int i = 0; i < end; i++) {
                String where = describe(frames[i], end < frames.length);
                if (where != null) {
                    lines.add("    at " + where);
                }
            }
            t = t.getCause();
            prefix = "Caused by: ";
        }
        return lines;
    }

    private static boolean fromToolkit(Throwable t) {
        StackTraceElement[] frames = t.getStackTrace();
        return frames.length > 0
                && frames[0].getClassName().startsWith("dev.dropkit.")
                && !frames[0].getClassName().startsWith("dev.dropkit.kernel.");
    }

    private static boolean isSnippet(StackTraceElement frame) {
        return frame.getFileName() != null && frame.getFileName().startsWith("#");
    }

    /** A frame as the learner wants it, or null for frames of the kernel, JShell or reflection. */
    private String describe(StackTraceElement frame, boolean aboveCell) {
        String cls = frame.getClassName();
        if (isSnippet(frame)) {
            int[] origin = origins.get(frame.getFileName().substring(1));
            String method = frame.getMethodName();
            boolean top = method.isEmpty() || method.startsWith("do_it$") || method.startsWith("lambda$do_it$");
            String where = origin == null
                    ? "snippet " + frame.getFileName()
                    : "cell [" + origin[0] + "] line " + (origin[1] + Math.max(1, frame.getLineNumber()) - 1);
            return top ? where : method + " (" + where + ")";
        }
        if (cls.startsWith("java.lang.reflect.") || cls.startsWith("jdk.internal.reflect.")) {
            return null;
        }
        if (!aboveCell
                && (cls.startsWith("jdk.jshell.")
                        || cls.startsWith("dev.dropkit.kernel.")
                        || cls.startsWith("REPL.")
                        || cls.startsWith("java.lang.Thread"))) {
            return null;
        }
        return frame.toString();
    }

    // ---------------------------------------------------------------- positions

    private static int leadingBlank(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** Where {@code source} (as JShell analysed it) starts inside {@code text}. */
    private static int startOf(String text, String source) {
        String head = source.strip();
        head = head.substring(0, Math.min(head.length(), 16));
        int i = head.isEmpty() ? -1 : text.indexOf(head);
        return i >= 0 ? i : leadingBlank(text);
    }

    /** 1-based line of offset {@code at} in {@code text}. */
    static int lineOf(String text, int at) {
        int line = 1;
        for (int i = 0; i < Math.min(at, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    // ---------------------------------------------------------------- analysis

    /** Completions at {@code cursor}: the replacements and the start of the text they replace. */
    List<String> complete(String code, int cursor, int[] anchor) {
        List<String> out = new ArrayList<>();
        for (SourceCodeAnalysis.Suggestion s : analysis.completionSuggestions(code, cursor, anchor)) {
            if (!out.contains(s.continuation())) {
                out.add(s.continuation());
            }
        }
        return out;
    }

    /** Signatures and javadoc of what is at {@code cursor}, or null when there is nothing. */
    String documentation(String code, int cursor) {
        List<SourceCodeAnalysis.Documentation> docs = analysis.documentation(code, cursor, true);
        if (docs.isEmpty() && cursor > 0 && Character.isJavaIdentifierPart(code.charAt(cursor - 1))) {
            // the cursor right after a method name (Shift-Tab before typing "(")
            String withParen = code.substring(0, cursor) + "(" + code.substring(cursor);
            docs = analysis.documentation(withParen, cursor + 1, true);
        }
        if (docs.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (SourceCodeAnalysis.Documentation doc : docs) {
            sb.append(doc.signature()).append('\n');
            if (doc.javadoc() != null && !doc.javadoc().isBlank()) {
                sb.append(doc.javadoc().strip()).append("\n\n");
            }
        }
        return sb.toString().strip();
    }

    /** Jupyter's is_complete: "complete", "incomplete", "invalid". */
    String completeness(String code) {
        if (code.isBlank()) {
            return "complete";
        }
        String remaining = code;
        while (!remaining.isBlank()) {
            CompletionInfo info = analysis.analyzeCompletion(remaining);
            switch (info.completeness()) {
                case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE:
                    return "incomplete";
                case UNKNOWN:
                    return "invalid";
                default:
                    break;
            }
            if (info.remaining().length() >= remaining.length()) {
                break;
            }
            remaining = info.remaining();
        }
        return "complete";
    }

    @Override
    public void close() {
        shell.close();
    }
}
