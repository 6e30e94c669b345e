package io.hactl.controller.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.DeserializationContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The errors found in one configuration file, each with its key path ("sync.links[1].local"),
 * line and column, and where each key and value of the file stands, so that checks made after
 * binding (a value against another) can name the line too. One per load; the deserializers find
 * it as an attribute of their context.
 */
final class Problems {
    private final List<ConfigError> errors = new ArrayList<>();
    private final Map<String, JsonLocation> keys = new HashMap<>();
    private final Map<String, JsonLocation> values = new HashMap<>();

    static Problems of(DeserializationContext ctxt) {
        return (Problems) ctxt.getAttribute(Problems.class);
    }

    List<ConfigError> errors() {
        return errors;
    }

    /** An error at the token {@code p} stands on, named by its path. */
    void at(JsonParser p, String message) {
        add(path(p.getParsingContext()), p.currentTokenLocation(), message);
    }

    /** An error at a key path: where its value is, else the key, else its nearest parent. */
    void at(String path, String message) {
        add(path, locate(path), message);
    }

    void add(String path, JsonLocation at, String message) {
        errors.add(new ConfigError(path, at == null ? 0 : at.getLineNr(), at == null ? 0 : Math.max(at.getColumnNr(), 0),
                message));
    }

    /** Whether an error names this path already (a bad value is not also "missing"). */
    boolean has(String path) {
        for (ConfigError e : errors) {
            if (e.path().equals(path)) {
                return true;
            }
        }
        return false;
    }

    /** Whether an error names this path or one of its parents (a mapping that did not read). */
    boolean hasAtOrAbove(String path) {
        for (ConfigError e : errors) {
            if (path.equals(e.path()) || path.startsWith(e.path() + ".") || path.startsWith(e.path() + "[")) {
                return true;
            }
        }
        return false;
    }

    /** The value, or an error "is required" unless one already says why it or its parent did not read. */
    <T> T required(T value, String path) {
        if (value == null && !hasAtOrAbove(path)) {
            at(path, "is required");
        }
        return value;
    }

    /** Whether the file gives this key: a value, or one that did not read. */
    boolean given(Object value, String path) {
        return value != null || has(path);
    }

    /** Where a key stands (its first place, when given twice). */
    void key(String path, JsonLocation at) {
        keys.putIfAbsent(path, at);
    }

    JsonLocation keyAt(String path) {
        return keys.get(path);
    }

    void value(String path, JsonLocation at) {
        values.putIfAbsent(path, at);
    }

    private JsonLocation locate(String path) {
        String p = path;
        while (true) {
            JsonLocation at = values.containsKey(p) ? values.get(p) : keys.get(p);
            if (at != null) {
                return at;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            if (cut <= 0) {
                return values.get("");
            }
            p = p.substring(0, cut);
        }
    }

    /** "sync.links[0].local" for the parser's context; "" at the top. */
    static String path(JsonStreamContext c) {
        StringBuilder sb = new StringBuilder();
        append(sb, c);
        return sb.toString();
    }

    private static void append(StringBuilder sb, JsonStreamContext c) {
        if (c == null || c.inRoot()) {
            return;
        }
        append(sb, c.getParent());
        if (c.inObject() && c.getCurrentName() != null) {
            if (sb.length() > 0) {
                sb.append('.');
            }
            // an empty key ("": x) would leave the error unnamed
            sb.append(c.getCurrentName().isEmpty() ? "\"\"" : c.getCurrentName());
        } else if (c.inArray() && c.hasCurrentIndex()) {
            sb.append('[').append(c.getCurrentIndex()).append(']');
        }
    }
}
