package io.hactl.lab.bench;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The churn bench's comparison of two tables as sets of original tuples. A flow's key is read
 * from the text a tool prints for it: hactl's {@code cache external} line ({@code tcp src=A
 * dst=B sport=P dport=Q ESTABLISHED ...}), conntrackd's {@code -e} line ({@code tcp 6
 * ESTABLISHED src=A dst=B sport=P dport=Q src=B ...}) and a tuple's own text; in each the first
 * src/dst/sport/dport are the original direction's and the first word names the protocol.
 */
final class FlowSets {
    private static final Pattern KEY = Pattern.compile(
            "^(.*?)\\bsrc=(\\S+) dst=(\\S+)(?: sport=(\\d+) dport=(\\d+))?");
    /** Protocol names as both tools print them; a line may start with others ("ipv4 2 tcp 6 ..."). */
    private static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "icmp", "icmpv6", "sctp", "dccp", "udplite", "gre");
    private static final Pattern ZONE = Pattern.compile("\\bzone=(\\d+)");

    private FlowSets() {}

    /** What differs between the master's table and the peer's cache. */
    record Diff(int master, int peer, int missing, int extra) {
        boolean exact() {
            return missing == 0 && extra == 0;
        }
    }

    /**
     * The original tuple (and zone, when not 0) of a flow line as {@code "tcp 10.0.0.1:1000 >
     * 198.51.100.1:443"}, or null for a line that describes no flow (a summary line).
     */
    static String key(String line) {
        Matcher m = KEY.matcher(line.strip());
        if (!m.find()) {
            return null;
        }
        String protocol = null;
        for (String word : m.group(1).trim().split("\\s+")) {
            if (PROTOCOLS.contains(word) || word.startsWith("proto") && word.length() > 5) {
                protocol = word;
                break;
            }
        }
        if (protocol == null) {
            return null;
        }
        StringBuilder k = new StringBuilder(protocol).append(' ').append(m.group(2));
        if (m.group(4) != null) {
            k.append(':').append(m.group(4));
        }
        k.append(" > ").append(m.group(3));
        if (m.group(5) != null) {
            k.append(':').append(m.group(5));
        }
        Matcher z = ZONE.matcher(line);
        if (z.find() && !z.group(1).equals("0")) {
            k.append(" zone ").append(z.group(1));
        }
        return k.toString();
    }

    /** The keys of every flow line among {@code lines}. */
    static Set<String> keys(Iterable<String> lines) {
        Set<String> out = new HashSet<>();
        for (String l : lines) {
            String k = key(l);
            if (k != null) {
                out.add(k);
            }
        }
        return out;
    }

    /** Flows of the master missing on the peer, and flows on the peer the master no longer has. */
    static Diff diff(Set<String> master, Set<String> peer) {
        int missing = 0;
        for (String k : master) {
            if (!peer.contains(k)) {
                missing++;
            }
        }
        int extra = 0;
        for (String k : peer) {
            if (!master.contains(k)) {
                extra++;
            }
        }
        return new Diff(master.size(), peer.size(), missing, extra);
    }
}
