package dev.dropkit.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.dflib.jjava.jupyter.kernel.history.HistoryEntry;
import org.dflib.jjava.jupyter.kernel.history.HistoryManager;

/** The cells run in this kernel session, for Jupyter's history requests (consoles recall them with the up key). */
final class CellHistory implements HistoryManager {
    private final List<HistoryEntry> entries = new ArrayList<>();

    synchronized void add(int cell, String code) {
        entries.add(new HistoryEntry(0, cell, code, null));
    }

    @Override
    public synchronized List<HistoryEntry> lookupRange(int session, int start, int stop, Set<ResultFlag> flags) {
        List<HistoryEntry> out = new ArrayList<>();
        for (HistoryEntry e : entries) {
            if (e.getCellNumber() >= start && (stop <= 0 || e.getCellNumber() < stop)) {
                out.add(e);
            }
        }
        return out;
    }

    @Override
    public synchronized List<HistoryEntry> lookupTail(int length, Set<ResultFlag> flags) {
        return new ArrayList<>(entries.subList(Math.max(0, entries.size() - Math.max(0, length)), entries.size()));
    }

    @Override
    public synchronized List<HistoryEntry> search(String glob, int length, Set<ResultFlag> flags) {
        Pattern p = Pattern.compile(
                Pattern.quote(glob == null ? "" : glob).replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q"),
                Pattern.DOTALL);
        List<HistoryEntry> out = new ArrayList<>();
        for (HistoryEntry e : entries) {
            if (p.matcher(e.getInput()).matches()) {
                out.add(e);
            }
        }
        return out.subList(Math.max(0, out.size() - Math.max(0, length)), out.size());
    }
}
