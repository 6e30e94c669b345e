package io.hactl.controller.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.hactl.sync.filter.IpLiteral;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads from a {@link YamlTree} that collect every error with its key path and line instead
 * of stopping at the first. Nothing is clamped or guessed: a bad value is an error.
 */
final class ConfigReader {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|k|K|KiB|M|MiB|G|GiB)");

    private final YamlTree tree;
    private final List<ConfigError> errors = new ArrayList<>();

    ConfigReader(YamlTree tree) {
        this.tree = tree;
    }

    List<ConfigError> errors() {
        return errors;
    }

    void error(String path, String message) {
        errors.add(new ConfigError(path, tree.line(path), message));
    }

    JsonNode node(String path) {
        JsonNode n = tree.root();
        for (String part : path.split("\\.")) {
            int bracket = part.indexOf('[');
            String key = bracket < 0 ? part : part.substring(0, bracket);
            if (n == null || !n.isObject()) {
                return null;
            }
            n = n.get(key);
            if (bracket >= 0 && n != null) {
                int index = Integer.parseInt(part.substring(bracket + 1, part.length() - 1));
                n = n.isArray() && index < n.size() ? n.get(index) : null;
            }
        }
        return n == null || n.isNull() ? null : n;
    }

    /** Reports keys of the mapping at {@code path} that are not in {@code known} (typos). */
    void onlyKeys(String path, Set<String> known) {
        JsonNode n = path.isEmpty() ? tree.root() : node(path);
        if (n == null) {
            return;
        }
        if (!n.isObject()) {
            error(path, "must be a mapping of keys");
            return;
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
            String k = it.next();
            if (!known.contains(k)) {
                String shown = k.isEmpty() ? "\"\"" : k; // an empty key ("": x) would leave the error unnamed
                error(path.isEmpty() ? shown : path + "." + shown, "unknown key (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        }
    }

    String string(String path, String fallback, boolean required) {
        JsonNode n = node(path);
        if (n == null) {
            if (required) {
                error(path, "is required");
            }
            return fallback;
        }
        if (!n.isTextual()) {
            error(path, "must be a single value, not a list or mapping");
            return fallback;
        }
        String v = n.asText().strip();
        if (v.isEmpty()) {
            error(path, "must not be empty");
            return fallback;
        }
        return v;
    }

    String oneOf(String path, String fallback, Set<String> allowed) {
        String v = string(path, fallback, false);
        if (v != null && !allowed.contains(v)) {
            error(path, "'" + v + "' is not one of " + String.join(", ", new java.util.TreeSet<>(allowed)));
            return fallback;
        }
        return v;
    }

    boolean bool(String path, boolean fallback) {
        String v = string(path, null, false);
        if (v == null) {
            return fallback;
        }
        return switch (v) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> {
                error(path, "'" + v + "' is not true or false");
                yield fallback;
            }
        };
    }

    int integer(String path, int fallback, int min, int max) {
        String v = string(path, null, false);
        if (v == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v);
            if (n < min || n > max) {
                error(path, v + " is outside " + min + ".." + max);
                return fallback;
            }
            return (int) n;
        } catch (NumberFormatException e) {
            error(path, "'" + v + "' is not a whole number");
            return fallback;
        }
    }

    /** "200ms", "60s", "5m", "1h". */
    Duration duration(String path, Duration fallback, Duration min, Duration max) {
        String v = string(path, null, false);
        if (v == null) {
            return fallback;
        }
        Matcher m = DURATION.matcher(v);
        if (!m.matches()) {
            error(path, "'" + v + "' is not a duration such as 200ms, 60s, 5m or 1h");
            return fallback;
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            error(path, v + " is outside " + min.toMillis() + " ms .. " + max.toSeconds() + " s");
            return fallback;
        }
        return d;
    }

    /** Bytes: "4194304", "512K", "4MiB", "1G". */
    int size(String path, int fallback, int min, int max) {
        String v = string(path, null, false);
        if (v == null) {
            return fallback;
        }
        Matcher m = SIZE.matcher(v);
        if (!m.matches()) {
            error(path, "'" + v + "' is not a size such as 4194304, 512K or 4MiB");
            return fallback;
        }
        long n = Long.parseLong(m.group(1)) * switch (m.group(2)) {
            case "k", "K", "KiB" -> 1024L;
            case "M", "MiB" -> 1024L * 1024;
            case "G", "GiB" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        if (n < min || n > max) {
            error(path, v + " is outside " + min + ".." + max + " bytes");
            return fallback;
        }
        return (int) n;
    }

    /** A literal IPv4 or IPv6 address (host names are refused: a gateway must not depend on DNS). */
    InetAddress address(String path, boolean required) {
        String v = string(path, null, required);
        return v == null ? null : parseAddress(path, v);
    }

    InetAddress parseAddress(String path, String v) {
        try {
            return IpLiteral.parse(v);
        } catch (IllegalArgumentException e) {
            error(path, e.getMessage());
            return null;
        }
    }

    /** A list of scalars; a single scalar counts as a list of one. */
    List<String> strings(String path) {
        JsonNode n = node(path);
        List<String> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        if (n.isTextual()) {
            out.add(n.asText().strip());
            return out;
        }
        if (!n.isArray()) {
            error(path, "must be a list");
            return out;
        }
        for (int i = 0; i < n.size(); i++) {
            JsonNode e = n.get(i);
            if (!e.isTextual()) {
                error(path + "[" + i + "]", "must be a single value");
                continue;
            }
            out.add(e.asText().strip());
        }
        return out;
    }

    int size(String path) {
        JsonNode n = node(path);
        return n == null ? 0 : n.isArray() ? n.size() : -1;
    }
}
