package dev.dropkit.kernel;

import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.BaseKernelBuilder;
import org.dflib.jjava.jupyter.kernel.HelpLink;
import org.dflib.jjava.jupyter.kernel.JupyterIO;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.comm.CommManager;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.dflib.jjava.jupyter.kernel.history.HistoryManager;
import org.dflib.jjava.jupyter.kernel.magic.MagicParser;
import org.dflib.jjava.jupyter.kernel.magic.MagicTranspiler;
import org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry;
import org.dflib.jjava.jupyter.kernel.util.StringStyler;

/**
 * The dropkit Jupyter kernel: Java cells evaluated by JShell in this JVM, on JJava's protocol layer
 * ({@code org.dflib.jjava:jjava-jupyter}). Start: {@code java -cp KERNEL:TOOLKIT dev.dropkit.kernel.DropkitKernel
 * CONNECTION_FILE}.
 */
public final class DropkitKernel extends BaseKernel {
    static final String VERSION = "0.1.0";

    private final CompletableFuture<Session> session;
    private volatile boolean classPathChecked;
    /** Run when a cell ends, before its reply (sends the live displays' final states). */
    private volatile Runnable cellEnd = () -> {};

    private DropkitKernel(
            String name,
            String version,
            HistoryManager history,
            JupyterIO io,
            CommManager comms,
            Renderer renderer,
            MagicsRegistry magics,
            StringStyler errorStyler) {
        super(
                name,
                version,
                languageInfo(),
                List.of(new HelpLink("Java 17 API", "https://docs.oracle.com/en/java/javase/17/docs/api/")),
                history,
                io,
                comms,
                renderer,
                new MagicParser("^\\s*%", "%%", new MagicTranspiler()),
                magics,
                false,
                errorStyler);
        Notebook.attach(this);
        Renderers.register(renderer);
        // JShell's first compile takes about a second: done while the client connects.
        session = CompletableFuture.supplyAsync(() -> {
            Session s = new Session(System.out, System.err);
            if (Renderers.toolkitPresent()) {
                ToolkitHooks.installProgress(this);
            }
            return s;
        });
    }

    private static LanguageInfo languageInfo() {
        return new LanguageInfo(
                "java", System.getProperty("java.version"), "text/x-java-source", ".jshell", "java", "java", null);
    }

    static final class Builder extends BaseKernelBuilder<Builder, DropkitKernel> {
        @Override
        public DropkitKernel build() {
            return new DropkitKernel(
                    buildName(),
                    buildVersion(),
                    new CellHistory(),
                    buildJupyterIO(buildJupyterIOEncoding()),
                    buildCommManager(),
                    buildRenderer(),
                    buildMagicsRegistry(),
                    buildErrorStyler());
        }

        @Override
        protected String buildName() {
            return "dropkit-java";
        }

        @Override
        protected String buildVersion() {
            return VERSION;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("--warm-up")) {
            warmUp();
            return;
        }
        if (args.length != 1) {
            System.err.println("usage: java -cp ... dev.dropkit.kernel.DropkitKernel CONNECTION_FILE");
            System.exit(2);
        }
        String json = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
        DropkitKernel kernel = new Builder().build();
        JupyterConnection connection = new JupyterConnection(KernelConnectionProperties.parse(json));
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        connection.waitUntilClose();
        // Threads a cell started (thread pools, the engine's own) must not keep a shut-down kernel alive.
        System.exit(0);
    }

    /**
     * Runs what a kernel start runs (a JShell session, its first compiles, a rendered table and image) and exits:
     * install.sh runs this once with {@code -XX:ArchiveClassesAtExit} so that kernels start from a class-data archive.
     */
    private static void warmUp() throws Exception {
        DropkitKernel kernel = new Builder().build();
        Session s = kernel.session();
        s.eval("int warm = 6 * 7;\nString text = \"w\" + warm;\ntext.length()", 1);
        s.eval("import java.util.*;\nList<Integer> xs = new ArrayList<>(List.of(1, 2));\nxs.size()", 2);
        kernel.renderAll(42);
        if (Renderers.toolkitPresent()) {
            s.eval("tech.tablesaw.api.Table.create(\"t\", tech.tablesaw.api.IntColumn.create(\"n\", 1, 2))", 3);
            kernel.renderAll(s.eval("tech.tablesaw.api.Table.create(\"t\")", 4));
        }
        kernel.renderAll(new java.awt.image.BufferedImage(4, 4, java.awt.image.BufferedImage.TYPE_INT_RGB));
        s.close();
        System.exit(0);
    }

    Session session() throws Exception {
        try {
            return session.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the Java session did not start: " + e.getCause(), e.getCause());
        }
    }

    private Session ready() {
        try {
            return session();
        } catch (Exception e) {
            throw Sneaky.<RuntimeException>rethrow(e);
        }
    }

    @Override
    public String getBanner() {
        return "Java " + System.getProperty("java.version") + " (dropkit kernel " + VERSION + ", JShell)";
    }

    @Override
    public Object evalRaw(String code) {
        try {
            Session s = session();
            if (!classPathChecked) {
                classPathChecked = true;
                warnMissingClassPath();
            }
            PrintStream out = System.out;
            PrintStream err = System.err;
            PrintStream cellOut = CellOutput.around(out, "stdout");
            PrintStream cellErr = CellOutput.around(err, "stderr");
            System.setOut(cellOut);
            System.setErr(cellErr);
            try {
                ((CellHistory) historyManager).add(executionCount.get() - 1, code);
                String java = new Magics(s).run(code);
                return s.eval(java, executionCount.get() - 1);
            } finally {
                cellEnd.run();
                System.setOut(out);
                System.setErr(err);
                cellOut.close();
                cellErr.close();
            }
        } catch (Exception e) {
            throw Sneaky.<RuntimeException>rethrow(e);
        }
    }

    /** A kernelspec whose class path names a missing jar starts anyway; the first cell says what is missing. */
    private static void warnMissingClassPath() {
        List<String> missing = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!entry.isBlank() && !new File(entry).exists()) {
                missing.add(entry);
            }
        }
        for (String m : System.getProperty("dropkit.classpath.expected", "").split(File.pathSeparator)) {
            if (!m.isBlank() && !new File(m).exists() && !missing.contains(m)) {
                missing.add(m);
            }
        }
        if (!missing.isEmpty()) {
            System.err.println("dropkit kernel: class path entries not found: " + String.join(", ", missing)
                    + "; build the toolkit with environment/setup.sh (or ./run setup) and restart the kernel");
        }
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        String doc = ready().documentation(code, at);
        if (doc == null) {
            return null;
        }
        DisplayData data = new DisplayData(doc);
        return data;
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        int[] anchor = new int[1];
        List<String> options = ready().complete(code, at, anchor);
        return options.isEmpty() ? null : new ReplacementOptions(options, anchor[0], at);
    }

    @Override
    public String isComplete(String code) {
        String c = ready().completeness(code);
        return switch (c) {
            case "complete" -> IS_COMPLETE_YES;
            case "invalid" -> IS_COMPLETE_BAD;
            default -> "    "; // incomplete: the indent of the next line
        };
    }

    @Override
    public void interrupt() {
        if (session.isDone() && !session.isCompletedExceptionally()) {
            session.join().stop();
        }
    }

    @Override
    public List<String> formatError(Throwable e) {
        if (e instanceof CellException ce) {
            return ce.traceback();
        }
        if (session.isDone() && !session.isCompletedExceptionally()) {
            List<String> trace = session.join().traceFor(e);
            if (trace != null) {
                return trace;
            }
        }
        return List.of(e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }

    @Override
    public void onShutdown(boolean restart) {
        if (session.isDone() && !session.isCompletedExceptionally()) {
            session.join().close();
        }
    }

    // ---------------------------------------------------------------- display (used by Notebook)

    /** {@code o} rendered with its preferred types, with text/plain always present. */
    DisplayData renderAll(Object o) {
        DisplayData data;
        try {
            data = renderer.render(o);
        } catch (RuntimeException e) {
            data = new DisplayData();
            System.err.println(
                    "dropkit kernel: could not render a " + o.getClass().getName() + ": " + e);
        }
        return withText(data, o);
    }

    /** {@code o} rendered as the given MIME types (IJava's {@code display(o, mimes...)}), plus text/plain. */
    DisplayData renderAs(Object o, String... mimeTypes) {
        if (mimeTypes == null || mimeTypes.length == 0) {
            return renderAll(o);
        }
        DisplayData data;
        try {
            data = renderer.renderAs(o, mimeTypes);
        } catch (RuntimeException e) {
            data = new DisplayData();
        }
        if (o instanceof CharSequence text) {
            // A string is the content itself: display("<b>hi</b>", "text/html").
            for (String mime : mimeTypes) {
                MIMEType type = MIMEType.parse(mime);
                if (!data.hasDataForType(type)) {
                    data.putData(type, text.toString());
                }
            }
        }
        return withText(data, o);
    }

    private static DisplayData withText(DisplayData data, Object o) {
        if (data == null) {
            data = new DisplayData();
        }
        if (!data.hasDataForType(MIMEType.TEXT_PLAIN)) {
            data.putText(String.valueOf(o));
        }
        return data;
    }

    @Override
    public void display(DisplayData data) {
        if (!io.display.isAttached()) {
            throw new IllegalStateException("display works only while a cell runs");
        }
        io.display.display(data);
    }

    void updateDisplay(String id, DisplayData data) {
        if (!io.display.isAttached()) {
            throw new IllegalStateException("updateDisplay works only while a cell runs");
        }
        io.display.updateDisplay(id, data);
    }

    /** The execution count of the running (or last) cell. */
    int cellNumber() {
        return executionCount.get() - 1;
    }

    boolean displayAttached() {
        return io.display.isAttached();
    }

    /** Hooks that name toolkit classes: loaded only when the toolkit is on the class path. */
    static final class ToolkitHooks {
        private ToolkitHooks() {}

        static void installProgress(DropkitKernel kernel) {
            AsyncSink sink = new AsyncSink(kernel);
            kernel.cellEnd = sink::flush;
            RunDisplays displays = new RunDisplays(
                    () -> new LiveProgress(sink, System::nanoTime, LiveTraining.curve()), kernel::cellNumber);
            dev.dropkit.train.Progress.install(() -> new SafeListener(displays.forRun()));
            dev.dropkit.experiment.SweepProgress.install(
                    () -> SweepTable.safe(new SweepTable(sink, System::nanoTime, SweepTable.TIMER_LATER)));
        }
    }

    /** Throws a checked exception through a method that declares none (evalRaw's signature). */
    static final class Sneaky {
        private Sneaky() {}

        @SuppressWarnings("unchecked")
        static <T extends Throwable> T rethrow(Throwable t) throws T {
            throw (T) t;
        }
    }
}
