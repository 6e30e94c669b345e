package io.hactl.controller.vrrp;

import java.net.InetAddress;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one virtual router, RFC 9568 section 6.4 (Initialize, Backup, Master),
 * plus FAULT. Single-threaded: the caller feeds it events on one thread. It owns no timer and
 * no socket: it reads the injected monotonic clock (nanoseconds), says when it next wants to be
 * woken ({@link #nextDeadline()}), and acts through {@link Actions}.
 *
 * <p>Timers (section 6.1): Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time and
 * Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256, computed in nanoseconds so the
 * skew keeps its fraction of a centisecond. A backup learns Master_Adver_Interval from the
 * advertisements it accepts.
 *
 * <p>Beyond the RFC: a preempt delay ({@link PreemptDelay}); a hold-back
 * ({@link #holdBack}) under which the instance neither preempts nor starts as master when it
 * owns the addresses, but still takes over when the master falls silent; and its sync group's
 * {@link InstanceGate}, which keeps it BACKUP when its master falls silent while another member still
 * hears one.
 */
public final class VrrpInstance {
    private static final Logger LOG = LoggerFactory.getLogger(VrrpInstance.class);

    private static final long NONE = Long.MAX_VALUE;

    private final InstanceConfig config;
    private final Actions actions;
    private final LongSupplier nanos;
    private InstanceListener listener = (i, from, to, why) -> { };
    private InstanceGate gate = i -> null;

    private VrrpState state = VrrpState.INITIALIZE;
    private String why = "not started";
    private int masterAdverInterval;
    private long adverTimer = NONE;
    private long masterDownTimer = NONE;
    private final PreemptDelay preemptDelay;
    private boolean holdBack;
    /** BACKUP and accepting a master's advertisements: its Master_Down_Timer has not run out. */
    private boolean hearsMaster;
    /** Why the gate last kept this instance BACKUP; null once it did not. */
    private String gatedBy;
    private InetAddress masterAddress;
    private int masterPriority;
    private long advertsSent;
    private long advertsReceived;

    public VrrpInstance(InstanceConfig config, Actions actions, LongSupplier nanos) {
        this.config = Objects.requireNonNull(config);
        this.actions = Objects.requireNonNull(actions);
        this.nanos = Objects.requireNonNull(nanos);
        this.masterAdverInterval = config.adverInterval();
        this.preemptDelay = new PreemptDelay(config.name(), config.preemptDelay());
    }

    public void listener(InstanceListener value) {
        this.listener = Objects.requireNonNull(value);
    }

    void gate(InstanceGate value) {
        this.gate = Objects.requireNonNull(value);
    }

    /** Initialize's Startup event (6.4.1): the owner becomes MASTER at once, any other BACKUP. */
    public void start() {
        if (state != VrrpState.INITIALIZE) {
            return;
        }
        begin("started");
    }

    /**
     * Shutdown (6.4.2, 6.4.3): a master sends one advertisement of priority 0 so that a backup
     * takes over after only its Skew_Time; then INITIALIZE.
     */
    public void shutdown() {
        stop(VrrpState.INITIALIZE, "shut down");
    }

    /**
     * The instance cannot serve ({@code reason}: interface down, or its sync group in FAULT). A
     * master first sends priority 0, which lets the peer take over at once if the link still
     * carries it.
     */
    public void fault(String reason) {
        stop(VrrpState.FAULT, reason);
    }

    /** The fault cleared: start over as at Startup. */
    public void recover(String reason) {
        if (state != VrrpState.FAULT) {
            return;
        }
        begin(reason);
    }

    /**
     * While held back the instance does not preempt a master of lower priority (nor take
     * mastership at start as the address owner); it still takes over when the master goes
     * silent. Used while this node is not yet in sync with a live peer.
     */
    public void holdBack(boolean value) {
        this.holdBack = value;
    }

    /** An advertisement {@link ReceiveCheck} accepted, sent from {@code source}, received now. */
    public void onAdvert(Advertisement advert, InetAddress source) {
        onAdvert(advert, source, nanos.getAsLong());
    }

    /**
     * As {@link #onAdvert(Advertisement, InetAddress)}, received at {@code receivedAt} on the
     * injected clock: a BACKUP's timers count from the advertisement's arrival, not from when
     * the loop got to it (a busy receive thread would otherwise put the Master_Down_Timer late
     * by as much). Never from the future.
     */
    public void onAdvert(Advertisement advert, InetAddress source, long receivedAt) {
        if (advert.vrid() != config.vrid()) {
            throw new IllegalArgumentException(config.name() + ": advertisement for vrid " + advert.vrid());
        }
        long now = nanos.getAsLong();
        switch (state) {
            case BACKUP -> backupReceives(advert, source, receivedAt - now > 0 ? now : receivedAt);
            case MASTER -> masterReceives(advert, source, now);
            default -> { } // INITIALIZE and FAULT listen to nobody
        }
    }

    /** Fires what is due at {@code now}. */
    public void onTimer(long now) {
        if (state == VrrpState.BACKUP && due(masterDownTimer, now)) {
            // Master_Down_Timer fired (6.4.2): take over, unless the gate holds this BACKUP
            hearsMaster = false;
            String held = gate.holdsBack(this);
            if (held == null) {
                gatedBy = null;
                toMaster("master down");
            } else {
                masterDownTimer = now + masterDownNanos();
                if (!held.equals(gatedBy)) {
                    LOG.info("{}: master down, staying BACKUP: {}", config.name(), held);
                }
                gatedBy = held;
                why = "master down, held BACKUP: " + held;
            }
        } else if (state == VrrpState.MASTER && due(adverTimer, now)) {
            // Adver_Timer fired (6.4.3). The next one counts from this one's deadline, not from
            // the moment the timer ran, so that a late wake-up does not shift every advertisement
            // after it (and the sync group's members, once aligned, stay in step).
            send(config.priority());
            adverTimer += adverIntervalNanos();
            if (due(adverTimer, now)) {
                adverTimer = now + adverIntervalNanos(); // the process stood still: no burst to catch up
            }
        }
    }

    /** Compared by difference, as {@link System#nanoTime} values must be. */
    private static boolean due(long deadline, long now) {
        return deadline != NONE && now - deadline >= 0;
    }

    /** When {@link #onTimer} next has something to do, on the injected clock; empty when idle. */
    public OptionalLong nextDeadline() {
        return switch (state) {
            case BACKUP -> OptionalLong.of(masterDownTimer);
            case MASTER -> OptionalLong.of(adverTimer);
            default -> OptionalLong.empty();
        };
    }

    /** Sync group: become MASTER with the rest of the group. */
    void forceMaster(String reason) {
        if (state == VrrpState.BACKUP) {
            toMaster(reason);
        }
    }

    /**
     * Sync group: while MASTER, advertise next at {@code deadline} if that comes before this
     * instance's own Adver_Timer. Never later than its own: the interval it advertises stays a
     * bound, only the phase moves.
     */
    void advertiseBy(long deadline) {
        if (state == VrrpState.MASTER && deadline - adverTimer < 0) {
            adverTimer = deadline;
        }
    }

    /** Sync group: this instance's Adver_Timer while MASTER, else empty. */
    OptionalLong adverDeadline() {
        return state == VrrpState.MASTER ? OptionalLong.of(adverTimer) : OptionalLong.empty();
    }

    /** Sync group: become BACKUP with the rest of the group. */
    void forceBackup(String reason) {
        if (state == VrrpState.MASTER) {
            toBackup(nanos.getAsLong(), reason);
        }
    }

    private void begin(String reason) {
        masterAdverInterval = config.adverInterval();
        masterAddress = null;
        masterPriority = 0;
        preemptDelay.cancel();
        hearsMaster = false;
        gatedBy = null;
        if (config.owner() && !holdBack) {
            toMaster(reason + ", address owner");
        } else {
            toBackup(nanos.getAsLong(), reason);
        }
    }

    private void backupReceives(Advertisement advert, InetAddress source, long now) {
        advertsReceived++;
        if (advert.priority() == VrrpConstants.PRIORITY_SHUTDOWN) {
            // The master is stopping: take over after Skew_Time only (6.4.2).
            masterDownTimer = now + skewNanos();
            hearsMaster = false;
            LOG.info("{}: master {} is stopping, taking over in {} ms", config.name(),
                    source.getHostAddress(), skewNanos() / 1_000_000);
            return;
        }
        boolean lower = advert.priority() < config.priority();
        if (!lower || !preempting() || preemptDelay.holding(now)) {
            // Accept the master (6.4.2): learn its interval, reset the down timer.
            if (advert.priority() >= config.priority()) {
                preemptDelay.cancel();
            }
            masterAdverInterval = advert.maxAdverInterval();
            masterDownTimer = now + masterDownNanos();
            masterAddress = source;
            masterPriority = advert.priority();
            hearsMaster = true;
            if (gatedBy != null) {
                gatedBy = null;
                why = "master " + source.getHostAddress() + " heard again";
                LOG.info("{}: {}", config.name(), why);
            }
            return;
        }
        // Preempt_Mode and a lower priority: discard, so the down timer runs out (6.4.2).
        hearsMaster = false; // a master this node is about to preempt holds no member back
        LOG.debug("{}: lower priority {} from {} discarded, preempting", config.name(), advert.priority(),
                source.getHostAddress());
    }

    private void masterReceives(Advertisement advert, InetAddress source, long now) {
        advertsReceived++;
        if (advert.priority() == VrrpConstants.PRIORITY_SHUTDOWN) {
            // Another master is stopping: assert ourselves at once (6.4.3).
            send(config.priority());
            adverTimer = now + adverIntervalNanos();
            return;
        }
        boolean higher = advert.priority() > config.priority()
                || advert.priority() == config.priority() && Election.compare(source, config.primaryAddress()) > 0;
        if (higher) {
            masterAdverInterval = advert.maxAdverInterval();
            masterAddress = source;
            masterPriority = advert.priority();
            toBackup(now, "higher priority " + advert.priority() + " from " + source.getHostAddress());
            hearsMaster = state == VrrpState.BACKUP;
            return;
        }
        // A lower master: discard its advertisement, and advertise now so it yields (6.4.3).
        send(config.priority());
        adverTimer = now + adverIntervalNanos();
    }

    private boolean preempting() {
        return config.preempt() && !holdBack;
    }

    private void toMaster(String reason) {
        long now = nanos.getAsLong();
        masterDownTimer = NONE;
        preemptDelay.cancel();
        masterAddress = config.primaryAddress();
        masterPriority = config.priority();
        send(config.priority());
        adverTimer = now + adverIntervalNanos();
        move(VrrpState.MASTER, reason);
    }

    private void toBackup(long now, String reason) {
        adverTimer = NONE;
        hearsMaster = false;
        masterDownTimer = now + masterDownNanos();
        move(VrrpState.BACKUP, reason);
    }

    /**
     * Enters {@code to}, runs its action, then tells the listener (a sync group follows after).
     * Plain calls, no lambda or method reference: this runs first at a takeover, where linking
     * one costs the JVM a millisecond or more.
     */
    private void move(VrrpState to, String reason) {
        VrrpState from = state;
        state = to;
        why = reason;
        LOG.info("{}: {} -> {} ({})", config.name(), from, to, reason);
        switch (to) {
            case MASTER -> actions.becomeMaster();
            case BACKUP -> actions.becomeBackup();
            case FAULT -> actions.becomeFault();
            case INITIALIZE -> actions.stopped();
        }
        listener.stateChanged(this, from, to, reason);
    }

    private void send(int priority) {
        advertsSent++;
        actions.sendAdvert(priority);
    }

    /** Into INITIALIZE or FAULT, unless already there: a master says priority 0 first. */
    private void stop(VrrpState to, String reason) {
        if (state == to) {
            return;
        }
        if (state == VrrpState.MASTER) {
            send(VrrpConstants.PRIORITY_SHUTDOWN);
        }
        adverTimer = NONE;
        masterDownTimer = NONE;
        preemptDelay.cancel();
        move(to, reason);
    }

    /** Skew_Time (6.1) for this instance's priority and the master's interval, in nanoseconds. */
    public long skewNanos() {
        return Election.skewNanos(config.priority(), masterAdverInterval);
    }

    /** Master_Down_Interval (6.1), in nanoseconds. */
    public long masterDownNanos() {
        return Election.masterDownNanos(config.priority(), masterAdverInterval);
    }

    private long adverIntervalNanos() {
        return Election.nanos(config.adverInterval());
    }

    public InstanceConfig config() {
        return config;
    }

    public VrrpState state() {
        return state;
    }

    /** Why the instance is in its state, for status. */
    public String why() {
        return why;
    }

    /** Master_Adver_Interval in centiseconds: learned from the master, else configured. */
    public int masterAdverInterval() {
        return masterAdverInterval;
    }

    /** The master's address as last seen (this node's own when MASTER); null when unknown. */
    public InetAddress masterAddress() {
        return masterAddress;
    }

    public int masterPriority() {
        return masterPriority;
    }

    public boolean heldBack() {
        return holdBack;
    }

    /** True while BACKUP and a master's advertisements keep its Master_Down_Timer from running out. */
    public boolean hearsMaster() {
        return state == VrrpState.BACKUP && hearsMaster;
    }

    public long advertsSent() {
        return advertsSent;
    }

    /** Advertisements that reached the state machine (after the receive checks). */
    public long advertsReceived() {
        return advertsReceived;
    }
}
