package io.hactl.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hactl status}: one screen telling whether the pair is safe to fail over. Exits 0 when
 * the verdict is OK and 1 when it is not (also with --json), so monitoring can alert on it.
 */
@Command(name = "status", description = "Show whether the pair is safe to fail over: peer, caches, lag, last commit."
        + " Exit status: 0 verdict OK, 1 verdict not OK, 3 daemon unreachable.")
public final class StatusCommand extends ClientCommand {
    @Option(names = "--json", description = "Print JSON (keys: verdict.ok, verdict.reasons, role, peer.alive, caches.internal, ...).")
    boolean json;

    @Override
    ObjectNode request() {
        return cmd("status");
    }

    @Override
    int render(JsonNode s, PrintWriter out) {
        int exit = s.path("verdict").path("ok").asBoolean(false) ? ExitCodes.OK : ExitCodes.FAILED;
        if (json) {
            out.println(s.toPrettyString());
            return exit;
        }
        out.println(verdict(s));
        JsonNode peer = s.path("peer");
        JsonNode sync = s.path("sync");
        out.printf("hactl on %s: role %s for %s (source %s)%s, up %s%n", s.path("node").asText(), s.path("role").asText(),
                duration(s.path("roleAgeMillis").asLong()), s.path("roleSource").asText(),
                s.path("demoted").asBoolean() ? ", DEMOTED until the bulk from the peer completes" : "",
                duration(s.path("uptimeSeconds").asLong() * 1000));
        long heard = peer.path("lastHeardMillis").asLong();
        out.printf("peer %-15s %s, last heard %s, rtt %s%n", peer.path("address").asText(),
                peer.path("alive").asBoolean() ? "ALIVE" : "DEAD",
                heard < 0 ? "never" : duration(heard) + " ago",
                peer.path("rttMicros").asLong() < 0 ? "unknown" : String.format("%.2f ms", peer.path("rttMicros").asLong() / 1000.0));
        out.printf("caches    internal %d flows (this node), external %d flows (from the peer)%n",
                s.path("caches").path("internal").asLong(), s.path("caches").path("external").asLong());
        out.printf("sync      %s, lag %s (max %s over 10 s), unacknowledged %d, waiting %d%s%n",
                sync.path("mode").asText(), millis(sync.path("lagMillis").asLong()),
                millis(sync.path("lagMaxMillis").asLong()), sync.path("resendQueue").asLong(),
                sync.path("transmitQueue").asLong(), sync.path("bulkReceiving").asBoolean() ? ", BULK RESYNC RUNNING" : "");
        out.printf("link      %s (%d configured), key %s%s%n", sync.path("activeLink").asText(), sync.path("links").asInt(),
                sync.path("keyFingerprint").asText(), sync.path("directInject").asBoolean() ? ", direct-inject" : "");
        List<String> drops = new ArrayList<>();
        s.path("drops").fields().forEachRemaining(e -> {
            if (e.getValue().asLong() > 0) {
                drops.add(e.getKey() + " " + e.getValue().asLong());
            }
        });
        out.printf("losses    %d messages lost, %d resent; drops: %s%n", s.path("messagesLost").asLong(),
                s.path("retransmissions").asLong(), drops.isEmpty() ? "none" : String.join(", ", drops));
        JsonNode c = s.path("lastCommit");
        out.printf("commit    %s%n", c.isNull() || c.isMissingNode() ? "none yet"
                : String.format("%d of %d flows in %d ms%s%s", c.path("written").asLong() + c.path("replaced").asLong(),
                        c.path("flows").asLong(), c.path("millis").asLong(), c.path("ok").asBoolean() ? "" : ", FAILURES "
                                + c.path("failures"), c.path("sinceMillis").asLong(-1) < 0 ? ""
                                : String.format(" (%d unchanged since the commit %d ms before)", c.path("unchanged").asLong(),
                                        c.path("sinceMillis").asLong())));
        JsonNode p = s.path("purge");
        if (s.path("purgeInMillis").asLong() >= 0) {
            out.printf("purge     of the peer's flows it no longer has, in %s, for %s%s%n",
                    duration(s.path("purgeInMillis").asLong()), p.path("reason").asText("?"),
                    p.path("waitingForPeer").asBoolean() ? "; the peer came back: waits for its bulk" : "");
        }
        if (!p.path("last").isMissingNode() && !p.path("last").isNull()) {
            out.printf("purged    %s, %s ago%n", p.path("last").asText(), duration(p.path("lastMillisAgo").asLong()));
        }
        JsonNode t = s.path("lastTransition");
        if (t.isNull() || t.isMissingNode()) {
            out.println("transition none yet");
        } else {
            StringBuilder steps = new StringBuilder();
            for (JsonNode st : t.path("steps")) {
                steps.append(steps.length() > 0 ? ", " : "").append(st.path("name").asText()).append(' ')
                        .append(st.path("millis").asLong()).append(" ms").append(st.path("ok").asBoolean() ? "" : " FAILED");
            }
            out.printf("transition %s -> %s at %s by %s in %d ms%s%n", t.path("from").asText(), t.path("to").asText(),
                    t.path("at").asText(), t.path("source").asText(), t.path("millis").asLong(),
                    t.path("ok").asBoolean() ? "" : " (STEPS FAILED)");
            if (steps.length() > 0) {
                out.printf("           %s%n", steps);
            }
        }
        JsonNode h = s.path("lastPreload");
        if (!h.isNull() && !h.isMissingNode() && !h.path("at").asText().equals(t.path("at").asText())) {
            JsonNode commit = h.path("steps").path(0);
            out.printf("preload   at %s (%s): the peer's flows loaded in %d ms%s (%s)%n", h.path("at").asText(),
                    h.path("source").asText(), h.path("millis").asLong(), h.path("ok").asBoolean() ? "" : " (STEPS FAILED)",
                    commit.path("detail").asText());
        }
        return exit;
    }

    /** The lines the person on call reads first: the daemon's verdict, each reason on its own line. */
    static String verdict(JsonNode s) {
        JsonNode v = s.path("verdict");
        if (v.isMissingNode() || v.isNull()) {
            return "VERDICT   UNKNOWN: the daemon reports no verdict";
        }
        if (v.path("ok").asBoolean(false)) {
            return "VERDICT   OK: " + v.path("evidence").asText();
        }
        StringBuilder b = new StringBuilder("VERDICT   NOT OK");
        String sep = ": ";
        for (JsonNode r : v.path("reasons")) {
            b.append(sep).append(r.asText());
            sep = System.lineSeparator() + "          ";
        }
        return b.toString();
    }

    private static String millis(long ms) {
        return ms < 0 ? "unknown" : ms + " ms";
    }

    static String duration(long ms) {
        if (ms < 1000) {
            return ms + " ms";
        }
        long s = ms / 1000;
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + (s % 60) + "s";
        }
        return (s / 3600) + "h" + (s % 3600 / 60) + "m";
    }
}
