package io.hactl.sync.engine;

import io.hactl.sync.filter.Cidr;
import io.hactl.sync.filter.FlowFilter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FlowFilterTest {
    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    static Flow tcp(String src, String dst, int state) throws Exception {
        return Flow.builder(Tuple.tcp(ip(src), ip(dst), 1000, 80)).timeout(10).protoInfo(TcpInfo.ofState(state)).build();
    }

    @Test
    void cidrsMatchByPrefixAndRejectBadText() throws Exception {
        Cidr c = Cidr.parse("10.99.0.0/24");
        assertThat(c.contains(ip("10.99.0.255"))).isTrue();
        assertThat(c.contains(ip("10.99.1.0"))).isFalse();
        assertThat(c.contains(ip("::1"))).isFalse();
        assertThat(Cidr.parse("172.16.0.0/12").contains(ip("172.31.255.1"))).isTrue();
        assertThat(Cidr.parse("172.16.0.0/12").contains(ip("172.32.0.1"))).isFalse();
        assertThat(Cidr.parse("2001:db8::/32").contains(ip("2001:db8:ffff::1"))).isTrue();
        assertThat(Cidr.parse("192.0.2.7").prefix()).isEqualTo(32);
        assertThat(Cidr.parse("0.0.0.0/0").contains(ip("8.8.8.8"))).isTrue();
        assertThatThrownBy(() -> Cidr.parse("10.99.0.1/24")).hasMessageContaining("host bits");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessageContaining("/33");
        assertThatThrownBy(() -> Cidr.parse("gateway.example/8")).hasMessageContaining("not an address");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/x")).hasMessageContaining("prefix length");
    }

    @Test
    void ignoresFlowsOfTheGatewayItselfButNotSnatedForwardedFlows() throws Exception {
        FlowFilter f = new FlowFilter(Set.of(), List.of(Cidr.parse("10.99.0.0/24"), Cidr.parse("127.0.0.0/8"),
                Cidr.parse("198.51.100.1")), Set.of());
        assertThat(f.accepts(tcp("10.99.0.1", "10.99.0.2", TcpInfo.ESTABLISHED))).isFalse();
        assertThat(f.accepts(tcp("127.0.0.1", "127.0.0.1", TcpInfo.ESTABLISHED))).isFalse();
        assertThat(f.accepts(tcp("198.51.100.1", "203.0.113.5", TcpInfo.ESTABLISHED))).as("from the gateway").isFalse();
        Flow snated = tcp("192.168.1.10", "203.0.113.5", TcpInfo.ESTABLISHED).toBuilder()
                .reply(Tuple.tcp(ip("203.0.113.5"), ip("198.51.100.1"), 80, 61000)).build();
        assertThat(f.accepts(snated)).isTrue();
    }

    @Test
    void protocolAndTcpStateListsRestrictWhenGiven() throws Exception {
        FlowFilter f = new FlowFilter(Set.of(Tuple.TCP, Tuple.UDP), List.of(),
                Set.of(TcpInfo.ESTABLISHED, TcpInfo.SYN_RECV));
        assertThat(f.accepts(tcp("10.0.0.1", "10.0.0.2", TcpInfo.ESTABLISHED))).isTrue();
        assertThat(f.accepts(tcp("10.0.0.1", "10.0.0.2", TcpInfo.TIME_WAIT))).isFalse();
        assertThat(f.accepts(Flow.builder(Tuple.udp(ip("10.0.0.1"), ip("10.0.0.2"), 5, 53)).build())).isTrue();
        assertThat(f.accepts(Flow.builder(Tuple.icmp(ip("10.0.0.1"), ip("10.0.0.2"), 8, 0, 1)).build())).isFalse();
        assertThat(FlowFilter.ACCEPT_ALL.accepts(tcp("127.0.0.1", "127.0.0.1", TcpInfo.CLOSE))).isTrue();
    }

    @Test
    void theEndpointVerdictOnAnEncodingIsTheFlowsVerdictUnlessItsTcpStateCounts() throws Exception {
        FlowFilter byAddress = new FlowFilter(Set.of(Tuple.TCP), List.of(Cidr.parse("10.99.0.0/24"),
                Cidr.parse("2001:db8::/32")), Set.of());
        FlowFilter byState = new FlowFilter(Set.of(), List.of(), Set.of(TcpInfo.ESTABLISHED));
        FlowFilter byProtocol = new FlowFilter(Set.of(Tuple.UDP), List.of(), Set.of());
        List<Flow> flows = List.of(tcp("10.99.0.1", "192.0.2.1", TcpInfo.ESTABLISHED),
                tcp("192.0.2.1", "10.99.0.7", TcpInfo.ESTABLISHED), tcp("192.0.2.1", "192.0.2.2", TcpInfo.TIME_WAIT),
                tcp("2001:db8::1", "2001:db9::1", TcpInfo.ESTABLISHED), tcp("2001:db9::1", "2001:db9::2", TcpInfo.ESTABLISHED),
                Flow.builder(Tuple.udp(ip("192.0.2.1"), ip("192.0.2.2"), 53, 53)).timeout(10).build());
        for (Flow f : flows) {
            byte[] enc = io.hactl.sync.wire.CompactFlow.encode(f);
            int protocol = io.hactl.sync.wire.CompactFlow.protocol(enc);
            assertThat(protocol).isEqualTo(f.orig().protocol());
            assertThat(io.hactl.sync.wire.CompactFlow.source(enc)).isEqualTo(f.orig().src().getAddress());
            assertThat(io.hactl.sync.wire.CompactFlow.destination(enc)).isEqualTo(f.orig().dst().getAddress());
            assertThat(byAddress.checksTcpState(protocol)).isFalse();
            assertThat(byAddress.acceptsEndpoints(protocol, f.orig().src().getAddress(), f.orig().dst().getAddress()))
                    .as("%s", f).isEqualTo(byAddress.accepts(f));
            // with no prefixes to ignore, the protocol is the verdict: no address is read
            assertThat(byProtocol.acceptsProtocol(protocol)).as("%s", f).isEqualTo(byProtocol.accepts(f));
        }
        assertThat(flows.stream().filter(byProtocol::accepts)).hasSize(1);
        assertThat(flows.stream().filter(byAddress::accepts)).hasSize(2);
        assertThat(byState.checksTcpState(Tuple.TCP)).isTrue();
        assertThat(byState.checksTcpState(Tuple.UDP)).isFalse();
    }
}
