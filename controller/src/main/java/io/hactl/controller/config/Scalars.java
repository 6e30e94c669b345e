package io.hactl.controller.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.hactl.controller.vrrp.VirtualAddress;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.filter.Cidr;
import io.hactl.sync.filter.IpLiteral;
import io.hactl.sync.wire.Encryption;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How each value of the configuration is read from its text. A value that does not parse, or lies
 * outside its {@link Limits}, is recorded in {@link Problems} at its line and column and read as
 * absent, so that reading goes on and every error is reported together; nothing is clamped.
 */
final class Scalars {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|k|K|KiB|M|MiB|G|GiB)");
    private static final Map<String, Integer> PROTOCOLS = Map.of("tcp", Tuple.TCP, "udp", Tuple.UDP, "icmp", Tuple.ICMP,
            "icmpv6", Tuple.ICMPV6, "sctp", Tuple.SCTP, "dccp", Tuple.DCCP, "gre", Tuple.GRE, "udplite", Tuple.UDPLITE);

    private Scalars() {}

    /** The readers of every value type of {@link ConfigFile}, by type; every record reads a mapping only. */
    static SimpleModule module() {
        SimpleModule m = new SimpleModule("hactl-config");
        m.addDeserializer(String.class, new Words(null));
        m.addDeserializer(Boolean.class, new Scalar<>(Boolean.class, Scalars::bool));
        m.addDeserializer(Integer.class, new Numbers(null, null));
        m.addDeserializer(Duration.class, new Durations(null));
        m.addDeserializer(InetAddress.class, new Scalar<>(InetAddress.class, IpLiteral::parse));
        m.addDeserializer(InetSocketAddress.class, new Scalar<>(InetSocketAddress.class, Scalars::hostPort));
        m.addDeserializer(Path.class, new Scalar<>(Path.class, Scalars::absolutePath));
        m.addDeserializer(Cidr.class, new Scalar<>(Cidr.class, Cidr::parse));
        m.addDeserializer(Encryption.class, new Scalar<>(Encryption.class, Scalars::encryption));
        m.addDeserializer(VirtualAddress.class, new Scalar<>(VirtualAddress.class, Scalars::virtualAddress));
        m.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription beanDesc,
                                                          JsonDeserializer<?> deserializer) {
                // a record read from one scalar (VirtualAddress) has its own reader above
                return beanDesc.getType().isRecordType() && !(deserializer instanceof Scalar)
                        ? new MappingOnly(deserializer) : deserializer;
            }
        });
        return m;
    }

    /** One scalar read by a function that throws IllegalArgumentException saying what is wrong. */
    static class Scalar<T> extends StdDeserializer<T> {
        private final transient Function<String, T> parse;

        Scalar(Class<T> type, Function<String, T> parse) {
            super(type);
            this.parse = parse;
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            Problems problems = Problems.of(ctxt);
            if (!p.currentToken().isScalarValue()) {
                problems.at(p, "must be a single value, not a list or mapping");
                p.skipChildren();
                return null;
            }
            String text = p.getText().strip();
            if (text.isEmpty()) {
                problems.at(p, "must not be empty");
                return null;
            }
            try {
                return parse.apply(text);
            } catch (IllegalArgumentException e) {
                problems.at(p, e.getMessage());
                return null;
            }
        }
    }

    /** Text, or one of the words of {@link Limits.OneOf}. */
    static final class Words extends Scalar<String> implements ContextualDeserializer {
        Words(String[] allowed) {
            super(String.class, text -> {
                if (allowed != null && !Arrays.asList(allowed).contains(text)) {
                    throw new IllegalArgumentException("'" + text + "' is not one of " + String.join(", ", new TreeSet<>(
                            Arrays.asList(allowed))));
                }
                return text;
            });
        }

        @Override
        public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) {
            Limits.OneOf one = property == null ? null : property.getAnnotation(Limits.OneOf.class);
            return one == null ? this : new Words(one.value());
        }
    }

    /** A whole number within {@link Limits.Count}, or a byte size within {@link Limits.Bytes}. */
    static final class Numbers extends Scalar<Integer> implements ContextualDeserializer {
        Numbers(Limits.Count count, Limits.Bytes bytes) {
            super(Integer.class, text -> {
                if (bytes != null) {
                    long n = bytes(text);
                    if (n < bytes.min() || n > bytes.max()) {
                        throw new IllegalArgumentException(text + " is outside " + bytes.min() + ".." + bytes.max() + " bytes");
                    }
                    return (int) n;
                }
                long n;
                try {
                    n = Long.parseLong(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + text + "' is not a whole number");
                }
                long min = count == null ? Integer.MIN_VALUE : count.min();
                long max = count == null ? Integer.MAX_VALUE : count.max();
                if (n < min || n > max) {
                    throw new IllegalArgumentException(text + " is outside " + min + ".." + max);
                }
                return (int) n;
            });
        }

        @Override
        public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) {
            if (property == null) {
                return this;
            }
            Limits.Count count = property.getAnnotation(Limits.Count.class);
            Limits.Bytes bytes = property.getAnnotation(Limits.Bytes.class);
            return count == null && bytes == null ? this : new Numbers(count, bytes);
        }
    }

    /** A duration within {@link Limits.Time}. */
    static final class Durations extends Scalar<Duration> implements ContextualDeserializer {
        Durations(Limits.Time limits) {
            super(Duration.class, text -> {
                Duration d = duration(text);
                if (limits != null) {
                    Duration min = duration(limits.min());
                    Duration max = duration(limits.max());
                    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                        throw new IllegalArgumentException(text + " is outside " + min.toMillis() + " ms .. "
                                + (max.toMillis() % 1000 == 0 ? max.toSeconds() + " s" : max.toMillis() + " ms"));
                    }
                }
                return d;
            });
        }

        @Override
        public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) {
            Limits.Time limits = property == null ? null : property.getAnnotation(Limits.Time.class);
            return limits == null ? this : new Durations(limits);
        }
    }

    /** A conntrack mark: 32 bits, hexadecimal (0x...) or decimal. */
    static final class Mark extends Scalar<Long> {
        Mark() {
            super(Long.class, v -> {
                long n;
                try {
                    n = v.startsWith("0x") || v.startsWith("0X") ? Long.parseLong(v.substring(2), 16) : Long.parseLong(v);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + v + "' is not a mark (0x40000000 or a decimal number)");
                }
                if (n < 0 || n > 0xffff_ffffL) {
                    throw new IllegalArgumentException(v + " is not a 32-bit mark");
                }
                return n;
            });
        }
    }

    /** An IP protocol by name or number. */
    static final class Protocol extends Scalar<Integer> {
        Protocol() {
            super(Integer.class, v -> {
                Integer num = PROTOCOLS.get(v.toLowerCase());
                if (num == null && v.matches("\\d{1,3}") && Integer.parseInt(v) <= 255) {
                    num = Integer.parseInt(v);
                }
                if (num == null) {
                    throw new IllegalArgumentException("'" + v + "' is not a protocol name (" + String.join(", ",
                            new TreeSet<>(PROTOCOLS.keySet())) + ") or number");
                }
                return num;
            });
        }
    }

    /** A TCP state by its conntrack name (ESTABLISHED, syn_recv). */
    static final class TcpState extends Scalar<Integer> {
        TcpState() {
            super(Integer.class, v -> {
                int s = TcpInfo.stateByName(v);
                if (s < 0) {
                    throw new IllegalArgumentException("'" + v + "' is not a TCP state such as ESTABLISHED");
                }
                return s;
            });
        }
    }

    static Boolean bool(String v) {
        return switch (v) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("'" + v + "' is not true or false");
        };
    }

    /** "200ms", "60s", "5m", "1h". */
    static Duration duration(String v) {
        Matcher m = DURATION.matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + v + "' is not a duration such as 200ms, 60s, 5m or 1h");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(v + " is too long a duration");
        }
        try {
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(v + " is too long a duration");
        }
    }

    /** Bytes: "4194304", "512K", "4MiB", "1G". */
    static long bytes(String v) {
        Matcher m = SIZE.matcher(v);
        if (!m.matches() || m.group(1).length() > 12) {
            throw new IllegalArgumentException("'" + v + "' is not a size such as 4194304, 512K or 4MiB");
        }
        return Long.parseLong(m.group(1)) * switch (m.group(2)) {
            case "k", "K", "KiB" -> 1024L;
            case "M", "MiB" -> 1024L * 1024;
            case "G", "GiB" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
    }

    static Path absolutePath(String v) {
        Path p = Path.of(v);
        if (!p.isAbsolute()) {
            throw new IllegalArgumentException("must be an absolute path");
        }
        return p;
    }

    /** Both gateways must name the same one: the peer drops anything else as ENCRYPTION_MISMATCH. */
    static Encryption encryption(String v) {
        TreeSet<String> names = new TreeSet<>();
        for (Encryption e : Encryption.values()) {
            if (e.configName().equals(v)) {
                return e;
            }
            names.add(e.configName());
        }
        throw new IllegalArgumentException("'" + v + "' is not one of " + String.join(", ", names));
    }

    /** A virtual address: ADDRESS/PREFIX, or ADDRESS alone for a host address (/32, /128). */
    static VirtualAddress virtualAddress(String v) {
        int slash = v.indexOf('/');
        InetAddress a = IpLiteral.parse(slash < 0 ? v : v.substring(0, slash));
        if (slash < 0) {
            return VirtualAddress.host(a);
        }
        String len = v.substring(slash + 1);
        int bits = a.getAddress().length * 8;
        if (!len.matches("\\d{1,3}") || Integer.parseInt(len) > bits) {
            throw new IllegalArgumentException("'" + v + "' has no valid prefix length (0.." + bits + ")");
        }
        return new VirtualAddress(a, Integer.parseInt(len));
    }

    /** ADDRESS:PORT, an IPv6 address in brackets. */
    static InetSocketAddress hostPort(String v) {
        int colon = v.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("'" + v + "' is not ADDRESS:PORT");
        }
        InetAddress a = IpLiteral.parse(v.substring(0, colon).replace("[", "").replace("]", ""));
        int port;
        try {
            port = Integer.parseInt(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + v + "' has no valid port");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        }
        return new InetSocketAddress(a, port);
    }
}
