package dev.sentinel.api;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** Checks on ids, keys and free text from requests, each failing with a 400 problem that says what is wrong. */
public final class Inputs {

    private static final Pattern VERDICT_ID = Pattern.compile("vd-[0-9a-f]{32}");
    private static final Pattern NOTICE_ID = Pattern.compile("nt-[0-9a-f]{32}");
    private static final Pattern APPEAL_ID = Pattern.compile("ap-[0-9a-f]{32}");
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    private Inputs() {
    }

    public static String verdictId(String id) {
        return matching(id, VERDICT_ID, "verdict id", "vd- and 32 hex digits");
    }

    public static String noticeId(String id) {
        return matching(id, NOTICE_ID, "notice id", "nt- and 32 hex digits");
    }

    public static String appealId(String id) {
        return matching(id, APPEAL_ID, "appeal id", "ap- and 32 hex digits");
    }

    public static String bucket(String bucket) {
        return matching(bucket, BUCKET, "bucket", "an S3 bucket name");
    }

    /** A page size from a query string: absent is {@code fallback}; anything but a whole number 1..max is a 400. */
    static int limit(String raw, int fallback, int max) {
        if (raw == null) {
            return fallback;
        }
        try {
            int limit = Integer.parseInt(raw);
            if (limit >= 1 && limit <= max) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiProblem.badRequest("limit must be a whole number from 1 to " + max);
    }

    /** An S3 key as an upload could have it: 1 to 1024 bytes, no control characters, no path traversal. */
    public static String key(String key) {
        if (key == null || key.isEmpty()) {
            throw ApiProblem.badRequest("key is required");
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > 1024) {
            throw ApiProblem.badRequest("key is longer than S3's 1024 bytes");
        }
        if (key.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
            throw ApiProblem.badRequest("key contains control characters");
        }
        if (key.startsWith("/") || key.equals("..") || key.startsWith("../") || key.contains("/../")
                || key.endsWith("/..") || key.contains("\\")) {
            throw ApiProblem.badRequest("key must not start with / or contain .. segments or backslashes");
        }
        return key;
    }

    /** Required free text (a reason, a statement) of at most {@code max} characters. */
    public static String text(String value, String field, int max) {
        if (value == null || value.isBlank()) {
            throw ApiProblem.badRequest(field + " is required");
        }
        if (value.length() > max) {
            throw ApiProblem.badRequest(field + " is longer than " + max + " characters");
        }
        return value.strip();
    }

    public static String oneOf(String value, String field, String... allowed) {
        for (String a : allowed) {
            if (a.equals(value)) {
                return value;
            }
        }
        throw ApiProblem.badRequest(field + " must be one of " + String.join(", ", allowed));
    }

    private static String matching(String value, Pattern pattern, String what, String shape) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw ApiProblem.badRequest(what + " is malformed: expected " + shape);
        }
        return value;
    }
}
