package io.hactl.controller.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads JSON into records with the streaming parser alone: a short command's answer is bound
 * without building an object mapper, which costs more than the rest of the command. The record
 * components are the schema, as for the daemon's writer: a key is a component's name, keys not
 * known are skipped, a component missing or null is null, 0 or false. Knows the types the
 * control answers use: records, strings, numbers, booleans, lists and string-keyed maps of them.
 */
final class RecordReader {
    private RecordReader() {}

    /** Reads the value at the parser's current token as {@code type}. */
    static Object read(JsonParser p, Type type) throws IOException {
        JsonToken t = p.currentToken();
        Class<?> raw = raw(type);
        if (t == JsonToken.VALUE_NULL) {
            return nullOf(raw);
        }
        if (raw == String.class) {
            if (!t.isScalarValue()) {
                throw mismatch(p, "a string");
            }
            return p.getValueAsString();
        }
        if (raw == long.class || raw == Long.class) {
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw mismatch(p, "an integer");
            }
            return p.getLongValue();
        }
        if (raw == int.class || raw == Integer.class) {
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw mismatch(p, "an integer");
            }
            return p.getIntValue();
        }
        if (raw == boolean.class || raw == Boolean.class) {
            if (!t.isBoolean()) {
                throw mismatch(p, "true or false");
            }
            return t == JsonToken.VALUE_TRUE;
        }
        if (raw == List.class) {
            if (t != JsonToken.START_ARRAY) {
                throw mismatch(p, "a list");
            }
            Type element = argument(type, 0);
            List<Object> list = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                list.add(read(p, element));
            }
            return list;
        }
        if (raw == Map.class) {
            if (t != JsonToken.START_OBJECT) {
                throw mismatch(p, "an object");
            }
            Type value = argument(type, 1);
            Map<String, Object> map = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                p.nextToken();
                map.put(key, read(p, value));
            }
            return map;
        }
        if (raw.isRecord()) {
            if (t != JsonToken.START_OBJECT) {
                throw mismatch(p, "an object");
            }
            return record(p, raw);
        }
        throw new IllegalArgumentException("cannot read " + type.getTypeName());
    }

    /** Reads the object at the parser's current token into {@code type}. */
    static <R> R record(JsonParser p, Class<R> type) throws IOException {
        RecordComponent[] components = type.getRecordComponents();
        Map<String, Integer> index = new HashMap<>();
        Type[] types = new Type[components.length];
        Class<?>[] raws = new Class<?>[components.length];
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            index.put(components[i].getName(), i);
            types[i] = components[i].getGenericType();
            raws[i] = components[i].getType();
            args[i] = nullOf(raws[i]);
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            Integer i = index.get(p.currentName());
            p.nextToken();
            if (i == null) {
                p.skipChildren();
            } else {
                args[i] = read(p, types[i]);
            }
        }
        try {
            Constructor<R> c = type.getDeclaredConstructor(raws);
            return c.newInstance(args);
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalArgumentException(type.getSimpleName() + ": " + cause.getMessage(), cause);
        }
    }

    private static Object nullOf(Class<?> raw) {
        if (raw == long.class) {
            return 0L;
        }
        if (raw == int.class) {
            return 0;
        }
        if (raw == boolean.class) {
            return false;
        }
        return null;
    }

    private static Class<?> raw(Type type) {
        return type instanceof ParameterizedType pt ? (Class<?>) pt.getRawType() : (Class<?>) type;
    }

    private static Type argument(Type type, int i) {
        if (type instanceof ParameterizedType pt) {
            return pt.getActualTypeArguments()[i];
        }
        throw new IllegalArgumentException("cannot read " + type.getTypeName() + " without its element type");
    }

    private static IllegalArgumentException mismatch(JsonParser p, String wanted) throws IOException {
        return new IllegalArgumentException("'" + p.currentName() + "' is not " + wanted + " (" + p.currentToken()
                + " at line " + p.currentLocation().getLineNr() + ", column " + p.currentLocation().getColumnNr() + ")");
    }
}
