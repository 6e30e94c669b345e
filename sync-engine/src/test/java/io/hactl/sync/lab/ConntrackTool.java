package io.hactl.sync.lab;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Runs the conntrack(8) tool in a namespace and parses its {@code -L} listing. */
public final class ConntrackTool {
    private ConntrackTool() {}

    /**
     * One line of {@code conntrack -L}: protocol name, timeout, TCP state (or null), the two
     * tuples' key=value pairs, bracketed flags such as ASSURED, and trailing pairs (mark, zone, use).
     */
    public record Entry(String proto, long timeout, String state, Map<String, String> orig,
                        Map<String, String> reply, Set<String> flags, Map<String, String> extra) {}

    public static List<Entry> list(Netns ns, String... filter) {
        List<String> argv = new ArrayList<>(List.of("conntrack", "-L"));
        argv.addAll(List.of(filter));
        String out = ns.execRaw(argv.toArray(String[]::new)).output();
        List<Entry> entries = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isBlank() || line.startsWith("conntrack v")) {
                continue;
            }
            entries.add(parse(line));
        }
        return entries;
    }

    static Entry parse(String line) {
        String[] tok = line.trim().split("\\s+");
        // "tcp 6 99 ESTABLISHED src=..." / "udp 17 29 src=..." / "unknown 253 599 src=..."
        String proto = tok[0];
        int i = 2;
        long timeout = Long.parseLong(tok[i++]);
        String state = null;
        if (!tok[i].contains("=")) {
            state = tok[i++];
        }
        Map<String, String> orig = new HashMap<>();
        Map<String, String> reply = new HashMap<>();
        Map<String, String> extra = new HashMap<>();
        Set<String> flags = new HashSet<>();
        Map<String, String> current = orig;
        for (; i < tok.length; i++) {
            String t = tok[i];
            if (t.startsWith("[") && t.endsWith("]")) {
                flags.add(t.substring(1, t.length() - 1));
                continue;
            }
            int eq = t.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String k = t.substring(0, eq);
            String v = t.substring(eq + 1);
            if (k.equals("src") && current == orig && orig.containsKey("src")) {
                current = reply;
            }
            if (k.equals("mark") || k.equals("use") || k.equals("zone") || k.equals("secctx") || k.equals("labels")) {
                current = extra;
            }
            current.put(k, v);
        }
        return new Entry(proto, timeout, state, orig, reply, flags, extra);
    }
}
