package io.hactl.controller.vrrp;

import static io.hactl.controller.vrrp.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class StatusSnapshotTest {
    static final InetAddress OTHER = ip("192.0.2.9");
    static final InetAddress GROUP = ip(VrrpConstants.IPV4_GROUP);

    final Parts parts = new Parts();
    final ManualLoop loop = parts.loop;
    final ReceiveDispatch dispatch = new ReceiveDispatch(parts.members, loop::nanoTime);
    final TransitionRunner runner = new TransitionRunner("fw1", Parts.CONFIG, loop,
            (state, why) -> CompletableFuture.completedFuture(null),
            new GroupAddresses(parts.members, parts.io, parts.failures), task -> task);
    final SyncGroup group = new SyncGroup("fw1", parts.members.stream().map(m -> m.vrrp).toList(),
            runner::groupState);
    long overruns;
    final StatusSnapshot snapshot = new StatusSnapshot(group, parts.members, dispatch, runner, parts.failures,
            () -> overruns, loop::nanoTime);

    @Test
    void beforeTheStartTheGroupIsInitializeWithoutTransition() {
        VrrpStatus st = snapshot.take();

        assertThat(st.state()).isEqualTo(VrrpState.INITIALIZE);
        assertThat(st.lastTransition()).isNull();
        assertThat(st.instances()).extracting(VrrpInstanceStatus::name).containsExactly("LAN", "WAN");
        assertThat(st.instances()).extracting(VrrpInstanceStatus::masterDownMillis).containsOnly(-1L);
    }

    @Test
    void aBackupShowsTheTimeLeftUntilItTakesOverAndTheMasterItHears() {
        group.start();
        loop.runForMillis(100);
        dispatch.receive("lan", new IpHeader(IpFamily.IPV4, OTHER, GROUP, 255), AdvertCodec.encodeSealed(
                Advertisement.of(61, 250, 10, List.of(ip("10.10.0.1"))), OTHER, GROUP, ChecksumMode.RFC));
        loop.runForMillis(50);

        VrrpInstanceStatus lan = snapshot.take().instances().get(0);

        assertThat(lan.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(lan.masterAddress()).isEqualTo("192.0.2.9");
        assertThat(lan.masterPriority()).isEqualTo(250);
        assertThat(lan.advertsReceived()).isEqualTo(1);
        assertThat(lan.masterDownMillis()).as("3 x 100 ms + 56/256 x 100 ms skew, 50 ms since the advert")
                .isEqualTo(271);
        assertThat(lan.lastTransition()).isEqualTo(snapshot.take().lastTransition());
        assertThat(lan.lastTransition().to()).isEqualTo(VrrpState.BACKUP);
    }

    @Test
    void dropsShowTheReasonsThatHappenedOnlyAndTheCountersComeFromTheirParts() throws Exception {
        byte[] bad = AdvertCodec.encodeSealed(Advertisement.of(62, 250, 10, List.of(ip("10.20.0.1"))), OTHER, GROUP,
                ChecksumMode.RFC);
        bad[7] ^= 1;
        dispatch.receive("wan", new IpHeader(IpFamily.IPV4, OTHER, GROUP, 255), bad);
        dispatch.receive("dmz", new IpHeader(IpFamily.IPV4, OTHER, GROUP, 255), bad);
        parts.failures.failed("LAN: sending priority 200", new IOException("Network is unreachable"), null);
        overruns = 7;
        group.holdBack("bulk resync from the peer not finished");

        VrrpStatus st = snapshot.take();

        assertThat(st.instances().get(0).drops()).isEmpty();
        assertThat(st.instances().get(1).drops()).containsExactlyEntriesOf(Map.of(DropReason.BAD_CHECKSUM, 1L));
        assertThat(st.unmatched()).isEqualTo(1);
        assertThat(st.ioErrors()).isEqualTo(1);
        assertThat(st.overruns()).isEqualTo(7);
        assertThat(st.holdBack()).isEqualTo("bulk resync from the peer not finished");
        assertThat(st.instances()).extracting(VrrpInstanceStatus::holdBack)
                .containsOnly("bulk resync from the peer not finished");
    }
}
