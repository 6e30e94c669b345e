package io.hactl.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hactl.controller.control.CommitReport;
import io.hactl.controller.control.ControlProtocol;
import io.hactl.controller.control.StatusReport;
import io.hactl.controller.control.TransitionReport;
import io.hactl.controller.control.VrrpReport;
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
    int render(JsonNode result, PrintWriter out) {
        StatusReport s = StatusReport.of(result, ControlProtocol.JSON);
        if (json) {
            // the daemon's JSON as it came: keys this client does not know are kept
            out.println(result.toPrettyString());
            return exitCode(s);
        }
        return print(s, out);
    }

    /**
     * The kernel work still to do, one line; null when there is nothing to say (not a warm
     * standby and no resync from the kernel pending).
     */
    static String kernelWork(StatusReport.Sync sync) {
        String resync = sync.kernelResync() ? "internal cache to be reloaded from the kernel (events lost)" : null;
        if (sync.standbyBacklog() < 0) {
            return resync == null ? null : "kernel    " + resync;
        }
        String standby;
        if (sync.standbyCurrent()) {
            standby = "warm standby current: a takeover writes nothing";
        } else {
            standby = "warm standby writing " + sync.standbyBacklog() + " flows"
                    + (sync.standbyReconcile() == null ? "" : ", reconcile due (" + sync.standbyReconcile() + ")");
        }
        return "kernel    " + standby + (resync == null ? "" : "; " + resync);
    }

    /** The transition running now: where it goes, its step and for how long, so a slow step shows while it runs. */
    static String running(StatusReport.Running r) {
        String what = r.from().equals(r.to()) ? "PRELOADING the peer's flows into the kernel, still " + r.to()
                : "BECOMING " + r.to() + " (from " + r.from() + ")";
        return "          " + what + ": " + (r.step().isEmpty() ? "starting" : "step " + r.step()) + ", "
                + duration(r.millis()) + " so far (" + r.source() + ")";
    }

    /** 0 when the daemon's verdict is OK, else 1. */
    static int exitCode(StatusReport s) {
        return s.ok() ? ExitCodes.OK : ExitCodes.FAILED;
    }

    /** The screen; returns the exit code. */
    static int print(StatusReport s, PrintWriter out) {
        int exit = exitCode(s);
        out.println(verdict(s));
        StatusReport.Peer peer = s.peer();
        StatusReport.Sync sync = s.sync();
        out.println("hactl on " + s.node() + ": role " + s.role() + " for " + duration(s.roleAgeMillis()) + " (source "
                + s.roleSource() + ")" + (s.demoted() ? ", DEMOTED until the bulk from the peer completes" : "") + ", up "
                + duration(s.uptimeSeconds() * 1000));
        if (s.running() != null) {
            out.println(running(s.running()));
        }
        long heard = peer.lastHeardMillis();
        out.println("peer " + padRight(peer.address(), 15) + " " + (peer.alive() ? "ALIVE" : "DEAD") + ", last heard "
                + (heard < 0 ? "never" : duration(heard) + " ago") + ", rtt "
                + (peer.rttMicros() < 0 ? "unknown" : hundredths(peer.rttMicros(), 10) + " ms"));
        out.println("caches    internal " + s.caches().internal() + " flows (this node), external "
                + s.caches().external() + " flows (from the peer)");
        String hash = hashWarning(s);
        if (hash != null) {
            out.println(hash);
        }
        out.println("sync      " + sync.mode() + ", lag " + millis(sync.lagMillis()) + " (max " + millis(sync.lagMaxMillis())
                + " over 10 s), unacknowledged " + sync.resendQueue() + ", waiting " + sync.transmitQueue()
                + (sync.bulkReceiving() ? ", BULK RESYNC RUNNING" : "")
                + (sync.bulkOwed() ? ", our bulk waits for the peer to be heard" : ""));
        out.println("link      " + sync.activeLink() + " (" + sync.links() + " configured), key " + sync.keyFingerprint()
                + (sync.directInject() ? ", direct-inject" : ""));
        String kernel = kernelWork(sync);
        if (kernel != null) {
            out.println(kernel);
        }
        List<String> drops = new ArrayList<>();
        s.drops().forEach((reason, n) -> {
            if (n > 0) {
                drops.add(reason + " " + n);
            }
        });
        out.println("losses    " + s.messagesLost() + " messages lost, " + s.retransmissions() + " resent; drops: "
                + (drops.isEmpty() ? "none" : String.join(", ", drops)));
        CommitReport c = s.lastCommit();
        out.println("commit    " + (c == null ? "none yet"
                : (c.written() + c.replaced()) + " of " + c.flows() + " flows in " + c.millis() + " ms"
                        + (c.ok() ? "" : ", FAILURES " + Render.failures(c.failures())) + (c.sinceMillis() < 0 ? ""
                                : " (" + c.unchanged() + " unchanged since the commit " + c.sinceMillis() + " ms before)")));
        StatusReport.Purge p = s.purge();
        if (s.purgeInMillis() >= 0) {
            out.println("purge     of the peer's flows it no longer has, in " + duration(s.purgeInMillis()) + ", for "
                    + (p.reason() == null ? "?" : p.reason())
                    + (p.waitingForPeer() ? "; the peer came back: waits for its bulk" : ""));
        }
        if (p.last() != null) {
            out.println("purged    " + p.last() + ", " + duration(p.lastMillisAgo()) + " ago");
        }
        TransitionReport t = s.lastTransition();
        if (t == null) {
            out.println("transition none yet");
        } else {
            StringBuilder steps = new StringBuilder();
            for (TransitionReport.StepReport st : t.steps()) {
                steps.append(steps.length() > 0 ? ", " : "").append(st.name()).append(' ').append(st.millis())
                        .append(" ms").append(st.ok() ? "" : " FAILED");
            }
            out.println("transition " + t.from() + " -> " + t.to() + " at " + t.at() + " by " + t.source() + " in "
                    + t.millis() + " ms" + (t.ok() ? "" : " (STEPS FAILED)"));
            if (steps.length() > 0) {
                out.println("           " + steps);
            }
        }
        TransitionReport h = s.lastPreload();
        if (h != null && (t == null || !String.valueOf(h.at()).equals(t.at()))) {
            String detail = h.steps().isEmpty() ? "" : h.steps().get(0).detail();
            out.println("preload   at " + h.at() + " (" + h.source() + "): the peer's flows loaded in " + h.millis() + " ms"
                    + (h.ok() ? "" : " (STEPS FAILED)") + " (" + detail + ")");
        }
        vrrp(s.vrrp(), out);
        return exit;
    }

    /** hactl's own VRRP: the group with its last transition's steps, then one line per instance. */
    static void vrrp(VrrpReport v, PrintWriter out) {
        if (v == null) {
            return;
        }
        StringBuilder steps = new StringBuilder();
        VrrpReport.Transition t = v.lastTransition();
        if (t != null) {
            for (VrrpReport.Step st : t.steps()) {
                steps.append(steps.length() > 0 ? ", " : "").append(st.step()).append(" +").append(st.atMillis())
                        .append(' ').append(st.millis() < 0 ? "running" : st.millis() + " ms")
                        .append(st.error() == null ? "" : " FAILED");
            }
        }
        out.println("vrrp      " + v.state() + (t == null ? "" : " (" + t.why() + "): " + steps)
                + (t != null && t.overBudget() ? ", COMMIT BUDGET EXCEEDED" : "")
                + (t != null && t.kernelHeldState() ? " (the kernel held the peer's flows: addresses first)" : "")
                + (v.holdBack() == null ? "" : "; held back: " + v.holdBack()));
        for (VrrpReport.Instance i : v.instances()) {
            List<String> drops = new ArrayList<>();
            i.drops().forEach((reason, n) -> drops.add(reason + " " + n));
            out.println("  " + i.name() + " " + i.iface() + " vrid " + i.vrid() + " " + i.state() + " prio " + i.priority()
                    + ", master " + (i.masterAddress() == null ? "unknown" : i.masterAddress() + " prio " + i.masterPriority())
                    + ", adverts " + i.advertsSent() + " out " + i.advertsReceived() + " in"
                    + (i.masterDownMillis() < 0 ? "" : ", master down in " + i.masterDownMillis() + " ms")
                    + (drops.isEmpty() ? "" : ", drops " + String.join(", ", drops)));
        }
    }

    /** The lines the person on call reads first: the daemon's verdict, each reason on its own line. */
    static String verdict(StatusReport s) {
        StatusReport.VerdictReport v = s.verdict();
        if (v == null) {
            return "VERDICT   UNKNOWN: the daemon reports no verdict";
        }
        if (v.ok()) {
            return "VERDICT   OK: " + v.evidence();
        }
        StringBuilder b = new StringBuilder("VERDICT   NOT OK");
        String sep = ": ";
        for (String r : v.reasons()) {
            b.append(sep).append(r);
            sep = System.lineSeparator() + "          ";
        }
        return b.toString();
    }

    /**
     * A warning with its fix when the kernel's conntrack hash is too small for the flows the
     * table must hold ({@link StatusReport.Conntrack#hashTooSmall}); null when it is not. Not a
     * verdict: failing over still works, each flow's insert and lookup is only slower.
     */
    static String hashWarning(StatusReport s) {
        StatusReport.Conntrack ct = s.conntrack();
        long cached = s.caches().internal() + s.caches().external();
        if (!ct.hashTooSmall(cached)) {
            return null;
        }
        long flows = ct.flowsToHold(cached);
        return "WARNING   conntrack hash of " + ct.buckets() + " buckets for " + flows + " flows (" + flows / ct.buckets()
                + " per bucket, more than " + StatusReport.Conntrack.MAX_FLOWS_PER_BUCKET + " slows every insert and"
                + " lookup): sysctl -w net.netfilter.nf_conntrack_buckets=" + flows + " (initial namespace) or the"
                + " module option nf_conntrack hashsize=" + flows;
    }

    /** {@code s} padded with spaces to {@code width} characters, as {@code %-15s} does. */
    static String padRight(String s, int width) {
        String v = String.valueOf(s);
        if (v.length() >= width) {
            return v;
        }
        StringBuilder b = new StringBuilder(width).append(v);
        while (b.length() < width) {
            b.append(' ');
        }
        return b.toString();
    }

    /**
     * {@code value / (divisor * 100)} with two decimals, rounded half up as {@code %.2f} rounds
     * (e.g. microseconds to milliseconds with divisor 10); not negative.
     */
    static String hundredths(long value, long divisor) {
        long h = (value + divisor / 2) / divisor;
        long frac = h % 100;
        return (h / 100) + (frac < 10 ? ".0" : ".") + frac;
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
