package io.hactl.controller.vrrp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Virtual routers that move together, as keepalived's {@code vrrp_sync_group}: a firewall's
 * LAN and WAN addresses must be on the same node, or the connections through it break.
 * <ul>
 * <li>one member in FAULT (its interface down) puts every member in FAULT; they all start over
 *     once no member has a fault of its own left;</li>
 * <li>one member becoming MASTER makes every member MASTER; one yielding MASTER to a higher
 *     priority makes every member BACKUP;</li>
 * <li>a member whose master fell silent takes the group to MASTER only when no other member
 *     still hears a master: while one does, the master is alive and only this member's network
 *     lost it (a partition on one side), and taking over would put the addresses of the other
 *     side on both nodes, then yield them to the higher priority there, again at every
 *     Master_Down_Interval. keepalived's sync groups likewise prefer BACKUP to thrashing. The
 *     member stays BACKUP and asks again when its timer next runs out;</li>
 * <li>while MASTER, the members advertise in step: each Adver_Timer is moved up to the
 *     earliest of the members' with the same interval. A master that dies silences every
 *     member at once, and the backup's members time out together, not up to an advertisement
 *     interval apart (the later one holds the group back, as above);</li>
 * <li>{@link #holdBack}: while this node is not in sync with a live peer, no member preempts
 *     (nor starts as master as the address owner); a member still takes over when the master
 *     falls silent, and the group follows it.</li>
 * </ul>
 * Single-threaded, like its members, whose clock and timers it shares.
 */
public final class SyncGroup {
    /** Told when the state of the group as a whole changes. */
    public interface Listener {
        void groupState(VrrpState to, String why);
    }

    private final String name;
    private final List<VrrpInstance> members;
    private final Listener listener;
    /** Members with a fault of their own (not one the group passed on), and why. */
    private final Map<VrrpInstance, String> faults = new LinkedHashMap<>();
    private VrrpState state = VrrpState.INITIALIZE;
    private String holdBackReason;
    private boolean propagating;

    public SyncGroup(String name, List<VrrpInstance> members, Listener listener) {
        this.name = Objects.requireNonNull(name);
        this.members = List.copyOf(members);
        this.listener = Objects.requireNonNull(listener);
        if (this.members.isEmpty()) {
            throw new IllegalArgumentException(name + ": a sync group needs members");
        }
        for (VrrpInstance m : this.members) {
            m.listener(this::memberChanged);
            m.gate(this::holdsBack);
        }
    }

    /** Starts every member; if one starts as MASTER (address owner) the others follow it. */
    public void start() {
        propagate(() -> members.forEach(VrrpInstance::start));
        align("started");
    }

    /** Shuts every member down (masters send priority 0). */
    public void shutdown() {
        propagate(() -> members.forEach(VrrpInstance::shutdown));
        settle("shut down");
    }

    /** {@code member} cannot serve (its interface is down): the whole group goes to FAULT. */
    public void fault(VrrpInstance member, String reason) {
        requireMember(member);
        faults.put(member, reason);
        member.fault(reason);
    }

    /** {@code member}'s own fault cleared; the group starts over when no member has one left. */
    public void recover(VrrpInstance member, String reason) {
        requireMember(member);
        if (faults.remove(member) == null || !faults.isEmpty()) {
            return;
        }
        propagate(() -> members.forEach(m -> m.recover(member.config().name() + " " + reason)));
        align(member.config().name() + " " + reason);
    }

    /**
     * Holds every member back from preempting ({@code reason} says why, for status), or lets
     * them preempt again ({@code null}).
     */
    public void holdBack(String reason) {
        holdBackReason = reason;
        for (VrrpInstance m : members) {
            m.holdBack(reason != null);
        }
    }

    /** Fires what is due at {@code now} in every member. */
    public void onTimer(long now) {
        for (VrrpInstance m : members) {
            m.onTimer(now);
        }
        advertiseInStep();
    }

    /**
     * While MASTER: every member's next advertisement at the earliest of those that advertise
     * at the same interval (the group's configuration gives them all one).
     */
    private void advertiseInStep() {
        if (state != VrrpState.MASTER) {
            return;
        }
        for (VrrpInstance m : members) {
            OptionalLong first = OptionalLong.empty();
            for (VrrpInstance o : members) {
                OptionalLong d = o.adverDeadline();
                if (o.config().adverInterval() == m.config().adverInterval() && d.isPresent()
                        && (first.isEmpty() || d.getAsLong() - first.getAsLong() < 0)) {
                    first = d;
                }
            }
            if (first.isPresent()) {
                m.advertiseBy(first.getAsLong());
            }
        }
    }

    /** The earliest deadline of any member; empty when none waits. */
    public OptionalLong nextDeadline() {
        OptionalLong next = OptionalLong.empty();
        for (VrrpInstance m : members) {
            OptionalLong d = m.nextDeadline();
            if (d.isPresent() && (next.isEmpty() || d.getAsLong() - next.getAsLong() < 0)) {
                next = d;
            }
        }
        return next;
    }

    /** The member of {@code vrid} in {@code family}, where received advertisements go. */
    public Optional<VrrpInstance> member(IpFamily family, int vrid) {
        return members.stream()
                .filter(m -> m.config().family() == family && m.config().vrid() == vrid)
                .findFirst();
    }

    public List<VrrpInstance> members() {
        return members;
    }

    public String name() {
        return name;
    }

    public VrrpState state() {
        return state;
    }

    /** Why the group is held back from preempting; null when it is not. */
    public String holdBackReason() {
        return holdBackReason;
    }

    /** Why {@code member} may not take the group to MASTER: another member still hears a master. */
    private String holdsBack(VrrpInstance member) {
        for (VrrpInstance m : members) {
            if (m != member && m.hearsMaster()) {
                return "sync group: " + m.config().name() + " hears master "
                        + (m.masterAddress() == null ? "?" : m.masterAddress().getHostAddress()) + " at priority "
                        + m.masterPriority();
            }
        }
        return null;
    }

    private void memberChanged(VrrpInstance member, VrrpState from, VrrpState to, String why) {
        if (propagating) {
            return;
        }
        String cause = member.config().name() + " " + to + " (" + why + ")";
        String because = "sync group: " + cause;
        // plain loops, no lambdas: this runs first at a takeover, where linking one costs the JVM a millisecond or more
        propagating = true;
        try {
            for (VrrpInstance m : members) {
                if (to == VrrpState.FAULT) {
                    m.fault(because);
                } else if (to == VrrpState.MASTER) {
                    m.forceMaster(because);
                } else if (to == VrrpState.BACKUP && from == VrrpState.MASTER) {
                    m.forceBackup(because);
                }
            }
        } finally {
            propagating = false;
        }
        settle(cause);
    }

    /** After members started: any MASTER among them takes the others along. */
    private void align(String why) {
        for (VrrpInstance m : members) {
            if (m.state() == VrrpState.MASTER) {
                String cause = m.config().name() + " MASTER (" + m.why() + ")";
                propagate(() -> members.forEach(o -> o.forceMaster("sync group: " + cause)));
                settle(cause);
                return;
            }
        }
        settle(why);
    }

    private void propagate(Runnable change) {
        boolean outer = !propagating;
        propagating = true;
        try {
            change.run();
        } finally {
            if (outer) {
                propagating = false;
            }
        }
    }

    /** Recomputes the group's state from its members' and tells the listener of a change. */
    private void settle(String why) {
        if (propagating) {
            return;
        }
        VrrpState now = VrrpState.INITIALIZE;
        for (VrrpInstance m : members) {
            now = stronger(now, m.state());
        }
        if (now != state) {
            state = now;
            advertiseInStep();
            listener.groupState(now, why);
        }
    }

    /** FAULT outranks MASTER, MASTER BACKUP, BACKUP INITIALIZE. */
    private static VrrpState stronger(VrrpState a, VrrpState b) {
        return rank(a) >= rank(b) ? a : b;
    }

    private static int rank(VrrpState s) {
        return switch (s) {
            case INITIALIZE -> 0;
            case BACKUP -> 1;
            case MASTER -> 2;
            case FAULT -> 3;
        };
    }

    private void requireMember(VrrpInstance member) {
        if (!members.contains(member)) {
            throw new IllegalArgumentException(member.config().name() + " is not in sync group " + name);
        }
    }
}
