package io.hactl.sync.ctnetlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.FlowEvent;
import io.hactl.sync.lab.LabTest;
import io.hactl.sync.lab.Netns;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The event socket's buffer as the real kernel reports it: the configured size, grown up to the maximum. */
@LabTest(tools = "conntrack")
class EventBufferKernelTest {
    private Netns ns;
    private Conntrack ct;
    private ConntrackEvents events;

    @BeforeEach
    void setUp() throws Exception {
        ns = Netns.create("evbuf");
        ct = ns.call(Conntrack::open);
        events = ns.call(() -> ConntrackEvents.open(128 << 10, false, Duration.ofMillis(100), new DecodeStats()));
    }

    @AfterEach
    void tearDown() {
        for (AutoCloseable c : new AutoCloseable[] {events, ct, ns}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    @Test
    void aBufferOf128KiBGrowsAfterOverrunsTo256KiBAndNoFurther() throws Exception {
        assertThat(events.socket().receiveBufferSize()).as("SO_RCVBUF after open").isEqualTo(128 << 10);
        int[] overruns = {0};
        ConntrackEvents.Listener listener = new ConntrackEvents.Listener() {
            @Override
            public void onEvent(FlowEvent event) {
                // only the buffer's size matters here
            }

            @Override
            public void onOverrun() {
                overruns[0]++;
            }
        };
        for (int round = 0; round < 4; round++) {
            // far more NEW events than 256 KiB of socket buffer holds, none read meanwhile
            List<Flow> flows = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                flows.add(ConntrackKernelTest.tcpEstablished("10.20." + round + "." + (1 + i % 250), "10.21.0." + (1 + i / 250),
                        1024 + i, 443));
            }
            assertThat(ct.batch(flows, BatchMode.CREATE).succeeded()).isEqualTo(3000);
            int before = overruns[0];
            // read until the overrun is reported (poll answers 0 then) or nothing is left
            for (int i = 0; i < 10_000 && events.poll(listener) > 0; i++) {
                // events queued before the overrun
            }
            assertThat(overruns[0]).as("overrun in round %d", round).isGreaterThan(before);
            int size = events.growReceiveBuffer(256 << 10);
            assertThat(size).as("grown buffer, round %d", round).isEqualTo(256 << 10);
            assertThat(events.socket().receiveBufferSize()).as("SO_RCVBUF, round %d", round).isEqualTo(256 << 10);
            ct.flush(0);
            for (int i = 0; i < 10_000 && events.poll(listener) > 0; i++) {
                // the DESTROY events, before the next round
            }
        }
    }
}
