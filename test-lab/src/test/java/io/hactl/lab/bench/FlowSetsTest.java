package io.hactl.lab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.conntrack.Tuple;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The churn bench reads the same original tuple from hactl's, conntrackd's and the kernel's text of a flow. */
class FlowSetsTest {
    private static final String KEY = "tcp 10.64.0.1:40000 > 203.0.113.2:443";

    @Test
    void hactlsCacheLineGivesTheOriginalTuple() {
        // as `hactl cache external` printed it
        assertThat(FlowSets.key("tcp src=10.64.0.1 dst=203.0.113.2 sport=40000 dport=443 ESTABLISHED timeout=3600 "
                + "status=0xe [reply 203.0.113.2 -> 10.64.0.1 443 -> 40000]")).isEqualTo(KEY);
    }

    @Test
    void conntrackdsCacheLineGivesTheOriginalTupleNotTheReply() {
        // as `conntrackd -e` printed it, then with a reply tuple as conntrack -L prints one
        assertThat(FlowSets.key("tcp      6 ESTABLISHED src=10.64.0.1 dst=203.0.113.2 sport=40000 dport=443 [ASSURED] "
                + "mark=0 [active since 24s]")).isEqualTo(KEY);
        assertThat(FlowSets.key("tcp      6 ESTABLISHED src=10.64.0.1 dst=203.0.113.2 sport=40000 dport=443 "
                + "src=203.0.113.2 dst=10.64.0.1 sport=443 dport=40000 [ASSURED] mark=0 [active since 2s]")).isEqualTo(KEY);
        assertThat(FlowSets.key("udp      17 src=10.64.0.9 dst=198.51.100.53 sport=5353 dport=53 "
                + "src=198.51.100.53 dst=10.64.0.9 sport=53 dport=5353 [ASSURED] mark=0"))
                .isEqualTo("udp 10.64.0.9:5353 > 198.51.100.53:53");
    }

    @Test
    void aTuplesOwnTextGivesTheSameKey() throws Exception {
        Tuple t = Tuple.tcp(InetAddress.getByName("10.64.0.1"), InetAddress.getByName("203.0.113.2"), 40000, 443);
        assertThat(FlowSets.key(t.toString())).isEqualTo(KEY);
    }

    @Test
    void zonesOtherThanZeroAndPortlessProtocolsAreKeptApart() {
        assertThat(FlowSets.key("tcp src=10.64.0.1 dst=203.0.113.2 sport=40000 dport=443 ESTABLISHED zone=7"))
                .isEqualTo(KEY + " zone 7");
        assertThat(FlowSets.key("tcp src=10.64.0.1 dst=203.0.113.2 sport=40000 dport=443 zone=0")).isEqualTo(KEY);
        assertThat(FlowSets.key("icmp src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id=7")).isEqualTo("icmp 10.0.0.1 > 10.0.0.2");
    }

    @Test
    void summaryLinesAreNoFlows() {
        assertThat(FlowSets.key("3 flows in the external cache")).isNull();
        assertThat(FlowSets.key("")).isNull();
        assertThat(FlowSets.keys(List.of("3 flows in the external cache", "tcp src=10.64.0.1 dst=203.0.113.2 sport=40000 dport=443")))
                .containsExactly(KEY);
    }

    @Test
    void diffCountsMissingAndExtraFlowsNotJustSizes() {
        FlowSets.Diff d = FlowSets.diff(Set.of("a", "b", "c"), Set.of("b", "c", "x"));
        assertThat(d).isEqualTo(new FlowSets.Diff(3, 3, 1, 1));
        assertThat(d.exact()).isFalse();
        assertThat(FlowSets.diff(Set.of("a", "b"), Set.of("b", "a")).exact()).isTrue();
    }
}
