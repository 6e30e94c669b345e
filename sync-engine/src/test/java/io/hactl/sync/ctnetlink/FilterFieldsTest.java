package io.hactl.sync.ctnetlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.filter.Cidr;
import io.hactl.sync.filter.FlowFilter;
import io.hactl.sync.netlink.AttrWriter;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The filter's fields read off raw attributes; what cannot be read is counted and not accepted. */
class FilterFieldsTest {
    private final DecodeStats stats = new DecodeStats();

    @Test
    void anEntryWithoutItsOriginalTupleIsMalformedAndNotCounted() {
        AttrWriter w = new AttrWriter(256);
        w.putU32(Ctnl.CTA_STATUS, 0x8);
        ByteBuffer b = w.flipped();
        assertThat(FilterFields.accepted(FlowFilter.ACCEPT_ALL, b, 0, b.limit(), stats)).isFalse();
        assertThat(stats.malformedMessages.get()).isEqualTo(1);
    }

    @Test
    void theProtocolAddressesAndTcpStateAreReadAsTheFilterNeedsThem() throws Exception {
        AttrWriter w = new AttrWriter(512);
        TupleCodec.encode(w, Ctnl.CTA_TUPLE_ORIG, Tuple.tcp(java.net.InetAddress.getByName("10.9.0.1"),
                java.net.InetAddress.getByName("10.0.0.2"), 1000, 443));
        int pi = w.nestStart(Ctnl.CTA_PROTOINFO);
        int tcp = w.nestStart(Ctnl.CTA_PROTOINFO_TCP);
        w.putU8(Ctnl.CTA_PROTOINFO_TCP_STATE, TcpInfo.TIME_WAIT);
        w.nestEnd(tcp);
        w.nestEnd(pi);
        ByteBuffer b = w.flipped();
        assertThat(FilterFields.accepted(FlowFilter.ACCEPT_ALL, b, 0, b.limit(), stats)).isTrue();
        assertThat(FilterFields.accepted(new FlowFilter(Set.of(Tuple.UDP), List.of(), Set.of()), b, 0, b.limit(), stats))
                .isFalse();
        assertThat(FilterFields.accepted(new FlowFilter(Set.of(), List.of(Cidr.parse("10.9.0.0/16")), Set.of()),
                b, 0, b.limit(), stats)).isFalse();
        assertThat(FilterFields.accepted(new FlowFilter(Set.of(), List.of(), Set.of(TcpInfo.ESTABLISHED)),
                b, 0, b.limit(), stats)).isFalse();
        assertThat(FilterFields.accepted(new FlowFilter(Set.of(), List.of(), Set.of(TcpInfo.TIME_WAIT)),
                b, 0, b.limit(), stats)).isTrue();
        assertThat(stats.malformedMessages.get()).isZero();
    }
}
