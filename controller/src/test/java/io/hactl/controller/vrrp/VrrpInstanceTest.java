package io.hactl.controller.vrrp;

import static io.hactl.controller.vrrp.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * RFC 9568 section 6.4 scenarios on a fake clock. The clock starts just below the top of the
 * long range, so deadlines wrap as {@link System#nanoTime} values may.
 */
class VrrpInstanceTest {
    static final long START = Long.MAX_VALUE - 1_234_567_891L;
    static final long SECOND = 1_000_000_000L;
    static final long MS = 1_000_000L;
    /** Skew_Time of priority 150 at 1 s: (256 - 150) * 1 s / 256. */
    static final long SKEW_150 = 414_062_500L;
    /** Master_Down_Interval of priority 150 at 1 s: 3 s + Skew_Time. */
    static final long DOWN_150 = 3 * SECOND + SKEW_150;

    static final InetAddress ME = ip("192.0.2.20");
    static final InetAddress LOWER_PEER = ip("192.0.2.10");
    static final InetAddress HIGHER_PEER = ip("192.0.2.30");

    final AtomicLong now = new AtomicLong(START);
    final RecordingActions actions = new RecordingActions();

    VrrpInstance instance(int priority, boolean preempt, Duration preemptDelay) {
        InstanceConfig c = new InstanceConfig("LAN", 61, priority, 100, preempt, preemptDelay, ME,
                List.of(ip("10.10.0.1")));
        return new VrrpInstance(c, actions, now::get);
    }

    VrrpInstance instance(int priority) {
        return instance(priority, true, Duration.ZERO);
    }

    /** Runs every timer due up to {@code elapsed} after START, in order, as an event loop would. */
    void runUntil(VrrpInstance vr, long elapsed) {
        long until = START + elapsed;
        while (vr.nextDeadline().isPresent() && vr.nextDeadline().getAsLong() - until <= 0) {
            now.set(vr.nextDeadline().getAsLong());
            vr.onTimer(now.get());
        }
        now.set(until);
    }

    static Advertisement advert(int priority, int intervalCs) {
        return Advertisement.of(61, priority, intervalCs, List.of(ip("10.10.0.1")));
    }

    @Test
    void startsAsBackupAndWaitsMasterDownInterval() {
        VrrpInstance vr = instance(150);

        vr.start();

        assertThat(vr.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(actions.take()).containsExactly("backup");
        assertThat(vr.nextDeadline().getAsLong() - START).isEqualTo(DOWN_150);
    }

    @Test
    void takesOverWhenNoMasterSpeaksThenAdvertisesEveryInterval() {
        VrrpInstance vr = instance(150);
        vr.start();
        actions.take();

        runUntil(vr, DOWN_150 - 1);
        assertThat(vr.state()).isEqualTo(VrrpState.BACKUP);

        runUntil(vr, DOWN_150);
        assertThat(vr.state()).isEqualTo(VrrpState.MASTER);
        assertThat(actions.take()).containsExactly("advert 150", "master");

        runUntil(vr, DOWN_150 + 3 * SECOND);
        assertThat(actions.take()).containsExactly("advert 150", "advert 150", "advert 150");
        assertThat(vr.advertsSent()).isEqualTo(4);
    }

    @Test
    void theAddressOwnerStartsAsMaster() {
        VrrpInstance vr = instance(255);

        vr.start();

        assertThat(vr.state()).isEqualTo(VrrpState.MASTER);
        assertThat(actions.take()).containsExactly("advert 255", "master");
        assertThat(vr.nextDeadline().getAsLong() - START).isEqualTo(SECOND);
    }

    @Test
    void aBackupLearnsTheMastersIntervalAndStaysBackupWhileItHears() {
        VrrpInstance vr = instance(150);
        vr.start();
        actions.take();

        for (int i = 1; i <= 50; i++) {
            runUntil(vr, i * 100 * MS);
            vr.onAdvert(advert(200, 10), HIGHER_PEER);
        }

        assertThat(vr.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(vr.masterAdverInterval()).isEqualTo(10);
        assertThat(vr.masterAddress()).isEqualTo(HIGHER_PEER);
        assertThat(vr.masterPriority()).isEqualTo(200);
        // At 100 ms: 3 * 100 ms + (256 - 150) * 100 ms / 256.
        assertThat(vr.masterDownNanos()).isEqualTo(300 * MS + SKEW_150 / 10);
        assertThat(vr.nextDeadline().getAsLong() - now.get()).isEqualTo(vr.masterDownNanos());
        assertThat(actions.take()).isEmpty();

        runUntil(vr, 5 * SECOND + vr.masterDownNanos());
        assertThat(vr.state()).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void aHigherPriorityBackupPreemptsALowerMaster() {
        VrrpInstance vr = instance(150);
        vr.start();
        actions.take();

        // The lower master keeps advertising; its advertisements are discarded, the timer runs out.
        for (int i = 1; i <= 3; i++) {
            runUntil(vr, i * SECOND);
            vr.onAdvert(advert(100, 100), LOWER_PEER);
        }
        runUntil(vr, DOWN_150);

        assertThat(vr.state()).isEqualTo(VrrpState.MASTER);
        assertThat(actions.take()).containsExactly("advert 150", "master");
    }

    @Test
    void withoutPreemptionALowerMasterKeepsItsPlace() {
        VrrpInstance vr = instance(150, false, Duration.ZERO);
        vr.start();
        actions.take();

        for (int i = 1; i <= 30; i++) {
            runUntil(vr, i * SECOND);
            vr.onAdvert(advert(100, 100), LOWER_PEER);
        }

        assertThat(vr.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(vr.masterAddress()).isEqualTo(LOWER_PEER);
        assertThat(actions.take()).isEmpty();
    }

    @Test
    void thePreemptDelayAcceptsALowerMasterForThatLongThenPreempts() {
        VrrpInstance vr = instance(150, true, Duration.ofSeconds(5));
        vr.start();
        actions.take();

        // First lower advertisement at 1 s: the delay runs until 6 s; adverts up to 5 s are accepted.
        for (int i = 1; i <= 8; i++) {
            runUntil(vr, i * SECOND);
            vr.onAdvert(advert(100, 100), LOWER_PEER);
        }
        assertThat(vr.state()).isEqualTo(VrrpState.BACKUP);

        runUntil(vr, 5 * SECOND + DOWN_150 - 1);
        assertThat(vr.state()).as("the 5 s advertisement was the last accepted").isEqualTo(VrrpState.BACKUP);
        runUntil(vr, 5 * SECOND + DOWN_150);
        assertThat(vr.state()).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void aHigherMasterStopsThePreemptDelay() {
        VrrpInstance vr = instance(150, true, Duration.ofSeconds(5));
        vr.start();
        runUntil(vr, SECOND);
        vr.onAdvert(advert(100, 100), LOWER_PEER); // delay starts, ends at 6 s
        for (int i = 2; i <= 7; i++) {
            runUntil(vr, i * SECOND);
            vr.onAdvert(advert(200, 100), HIGHER_PEER); // delay cleared
        }
        runUntil(vr, 8 * SECOND);
        vr.onAdvert(advert(100, 100), LOWER_PEER); // a fresh delay: accepted until 13 s

        runUntil(vr, 8 * SECOND + DOWN_150 - 1);
        assertThat(vr.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(vr.masterAddress()).isEqualTo(LOWER_PEER);
    }

    @Test
    void aMasterYieldsToAHigherPriority() {
        VrrpInstance vr = instance(150);
        vr.start();
        runUntil(vr, DOWN_150);
        actions.take();

        vr.onAdvert(advert(200, 50), HIGHER_PEER);

        assertThat(vr.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(actions.take()).containsExactly("backup");
        assertThat(vr.masterAdverInterval()).isEqualTo(50);
        assertThat(vr.nextDeadline().getAsLong() - now.get()).isEqualTo(3 * 500 * MS + SKEW_150 / 2);
    }

    @Test
    void aMasterAnswersALowerMasterWithAnAdvertisementAtOnce() {
        VrrpInstance vr = instance(150);
        vr.start();
        runUntil(vr, DOWN_150);
        runUntil(vr, DOWN_150 + 300 * MS);
        actions.take();

        vr.onAdvert(advert(100, 100), LOWER_PEER);

        assertThat(vr.state()).isEqualTo(VrrpState.MASTER);
        assertThat(actions.take()).containsExactly("advert 150");
        assertThat(vr.nextDeadline().getAsLong() - now.get()).as("Adver_Timer reset").isEqualTo(SECOND);
    }

    @Test
    void equalPrioritiesAreDecidedByTheHigherPrimaryAddress() {
        VrrpInstance vr = instance(150);
        vr.start();
        runUntil(vr, DOWN_150);
        actions.take();

        vr.onAdvert(advert(150, 100), LOWER_PEER);
        assertThat(vr.state()).isEqualTo(VrrpState.MASTER);
        assertThat(actions.take()).containsExactly("advert 150");

        vr.onAdvert(advert(150, 100), HIGHER_PEER);
        assertThat(vr.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(actions.take()).containsExactly("backup");
    }

    @Test
    void addressesCompareAsUnsignedOctets() {
        assertThat(Election.compare(ip("192.0.2.200"), ip("192.0.2.20"))).isPositive();
        assertThat(Election.compare(ip("10.0.0.1"), ip("192.0.2.1"))).isNegative();
        assertThat(Election.compare(ip("fe80::ff"), ip("fe80::1"))).isPositive();
    }

    @Test
    void aMasterShuttingDownSendsPriorityZero() {
        VrrpInstance vr = instance(150);
        vr.start();
        runUntil(vr, DOWN_150);
        actions.take();

        vr.shutdown();

        assertThat(actions.take()).containsExactly("advert 0", "stopped");
        assertThat(vr.state()).isEqualTo(VrrpState.INITIALIZE);
        assertThat(vr.nextDeadline()).isEmpty();
    }

    @Test
    void aBackupTakesOverSkewTimeAfterPriorityZero() {
        VrrpInstance vr = instance(150);
        vr.start();
        runUntil(vr, SECOND);
        vr.onAdvert(advert(200, 100), HIGHER_PEER);
        runUntil(vr, 2 * SECOND);

        vr.onAdvert(advert(0, 100), HIGHER_PEER);

        assertThat(vr.nextDeadline().getAsLong() - now.get()).isEqualTo(SKEW_150);
        runUntil(vr, 2 * SECOND + SKEW_150);
        assertThat(vr.state()).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void aMasterHearingPriorityZeroAdvertisesAtOnce() {
        VrrpInstance vr = instance(150);
        vr.start();
        runUntil(vr, DOWN_150 + 200 * MS);
        actions.take();

        vr.onAdvert(advert(0, 100), HIGHER_PEER);

        assertThat(vr.state()).isEqualTo(VrrpState.MASTER);
        assertThat(actions.take()).containsExactly("advert 150");
    }

    @Test
    void aFaultSilencesTheInstanceUntilItClears() {
        VrrpInstance vr = instance(150);
        vr.start();
        runUntil(vr, DOWN_150);
        actions.take();

        vr.fault("interface lan down");

        assertThat(vr.state()).isEqualTo(VrrpState.FAULT);
        assertThat(vr.why()).isEqualTo("interface lan down");
        assertThat(actions.take()).containsExactly("advert 0", "fault");
        assertThat(vr.nextDeadline()).isEmpty();
        vr.onAdvert(advert(100, 100), LOWER_PEER);
        vr.onTimer(now.get() + 100 * SECOND);
        assertThat(actions.take()).isEmpty();

        vr.recover("interface lan up");

        assertThat(vr.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(actions.take()).containsExactly("backup");
    }

    @Test
    void heldBackABackupDoesNotPreemptButStillReplacesASilentMaster() {
        VrrpInstance vr = instance(150);
        vr.holdBack(true);
        vr.start();
        actions.take();

        for (int i = 1; i <= 10; i++) {
            runUntil(vr, i * SECOND);
            vr.onAdvert(advert(100, 100), LOWER_PEER);
        }
        assertThat(vr.state()).as("no preemption while held back").isEqualTo(VrrpState.BACKUP);

        runUntil(vr, 10 * SECOND + DOWN_150);
        assertThat(vr.state()).as("the lower master fell silent").isEqualTo(VrrpState.MASTER);
    }

    @Test
    void releasedFromHoldBackABackupPreemptsAgain() {
        VrrpInstance vr = instance(150);
        vr.holdBack(true);
        vr.start();
        runUntil(vr, SECOND);
        vr.onAdvert(advert(100, 100), LOWER_PEER);

        vr.holdBack(false);
        for (int i = 2; i <= 5; i++) {
            runUntil(vr, i * SECOND);
            vr.onAdvert(advert(100, 100), LOWER_PEER);
        }

        assertThat(vr.state()).isEqualTo(VrrpState.MASTER);
        assertThat(vr.heldBack()).isFalse();
    }

    @Test
    void heldBackTheAddressOwnerStartsAsBackup() {
        VrrpInstance vr = instance(255);
        vr.holdBack(true);

        vr.start();

        assertThat(vr.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(vr.nextDeadline().getAsLong() - START).as("3 s + 1/256 s").isEqualTo(3 * SECOND + SECOND / 256);
    }

    @Test
    void skewTimeFollowsTheRfcFormula() {
        assertThat(instance(100).skewNanos()).isEqualTo(156 * SECOND / 256);
        assertThat(instance(254).skewNanos()).isEqualTo(2 * SECOND / 256);
        assertThat(instance(1).masterDownNanos()).isEqualTo(3 * SECOND + 255 * SECOND / 256);
    }
}
