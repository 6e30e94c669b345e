package io.hactl.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.wire.CompactFlow;
import io.hactl.sync.cache.TestFlows;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.ctnetlink.FlowCodec;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The commit's direct transcoding writes exactly what decoding, planning and encoding would. */
class CommitEncoderTest {
    static final long S = 1_000_000_000L;

    static List<Flow> flows() {
        return TestFlows.sample(50, 3000, 7);
    }

    @Test
    void transcodingMatchesDecodePlanEncodeForEveryShapeAndPlan() throws Exception {
        List<Flow> flows = flows();
        int compared = 0;
        for (CommitPlanner planner : List.of(new CommitPlanner(null, false, OwnerMark.DEFAULT), new CommitPlanner(null, true, OwnerMark.DEFAULT),
                new CommitPlanner(Duration.ofSeconds(90), false, OwnerMark.DEFAULT))) {
            CommitEncoder encoder = new CommitEncoder(planner);
            for (Flow f : flows) {
                byte[] enc = CompactFlow.encode(f);
                // fresh, aged within its timeout, and aged past it
                for (long age : new long[] {0, 7 * S, 100_000 * S}) {
                    long now = 1_000_000 * S;
                    AttrWriter slow = new AttrWriter(256);
                    FlowCodec.encode(slow, planner.plan(CompactFlow.decode(enc), now - age, now));
                    AttrWriter fast = new AttrWriter(256);
                    encoder.write(fast, enc, now - age, now);
                    assertThat(HexFormat.of().formatHex(fast.toByteArray()))
                            .as("%s aged %d s", f, age / S)
                            .isEqualTo(HexFormat.of().formatHex(slow.toByteArray()));
                    assertThat(CommitEncoder.family(enc)).isEqualTo(f.family());
                    compared++;
                }
            }
        }
        assertThat(compared).isGreaterThan(9 * 3000);
    }
}
