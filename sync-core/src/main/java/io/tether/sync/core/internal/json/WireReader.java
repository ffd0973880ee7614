package io.tether.sync.core.internal.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.tether.sync.Operation;
import io.tether.sync.ProblemException;
import io.tether.sync.spi.Change;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.DeliveredChange;
import io.tether.sync.spi.FieldError;
import io.tether.sync.spi.FieldType;
import io.tether.sync.spi.HlcStamp;
import io.tether.sync.spi.LiveMessage;
import io.tether.sync.spi.Problem;
import io.tether.sync.spi.ProblemType;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.PushResult;
import io.tether.sync.spi.RejectReason;
import io.tether.sync.spi.Schema;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates a parsed JSON tree against one protocol shape and converts it, collecting every offending field as a
 * {@link FieldError} (paths like {@code changes[3].baseVersion}) before failing with one {@code bad-request}
 * problem. One instance per read; not thread-safe.
 */
final class WireReader {
    /** At most this many errors are reported; the detail says how many there were. */
    static final int MAX_ERRORS = 50;
    /** Path of the body itself in {@link FieldError}s. */
    static final String ROOT = "$";

    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final int MAX_ID_LENGTH = 255;
    /** Long enough for any client id and sequence ({@code clientId:} + zero-padded sequence is 57 characters). */
    private static final int MAX_CHANGE_ID_LENGTH = 200;

    private static final Set<String> CHANGE_FIELDS =
            Set.of("changeId", "collection", "id", "op", "data", "fields", "baseVersion", "hlc");
    private static final Set<String> DELIVERED_FIELDS = Set.of("collection", "id", "op", "version", "data");

    private final String what;
    private final List<FieldError> errors = new ArrayList<>();
    private int errorCount;

    /** @param what the kind of document, for the problem's detail ("push request") */
    WireReader(String what) {
        this.what = what;
    }

    // ---- documents ------------------------------------------------------------------------------------------

    PushRequest pushRequest(JsonNode root) {
        requireObject(root);
        allowOnly(root, "", Set.of("clientId", "changes"));
        String clientId = uuid(root, "", "clientId");
        List<Change> changes = changeList(root, "", "changes");
        finish();
        return new PushRequest(clientId, changes);
    }

    PushResponse pushResponse(JsonNode root) {
        requireObject(root);
        allowOnly(root, "", Set.of("results", "cursor"));
        List<PushResult> results = resultList(root, "", "results");
        String cursor = string(root, "", "cursor", false);
        finish();
        return new PushResponse(results, cursor);
    }

    PullResponse pullResponse(JsonNode root) {
        requireObject(root);
        allowOnly(root, "", Set.of("changes", "cursor", "hasMore"));
        List<DeliveredChange> changes = deliveredList(root, "", "changes");
        String cursor = string(root, "", "cursor", true);
        Boolean hasMore = bool(root, "", "hasMore", true);
        finish();
        return new PullResponse(changes, cursor, hasMore);
    }

    Schema schema(JsonNode root) {
        requireObject(root);
        allowOnly(root, "", Set.of("version", "collections"));
        Long version = integer(root, "", "version", true, 1, Integer.MAX_VALUE);
        List<CollectionSchema> collections = new ArrayList<>();
        JsonNode array = array(root, "", "collections", true);
        if (array != null) {
            for (int i = 0; i < array.size(); i++) {
                CollectionSchema c = collectionSchema(array.get(i), path("", "collections") + "[" + i + "]");
                if (c != null) {
                    collections.add(c);
                }
            }
        }
        finish();
        return new Schema(version.intValue(), collections);
    }

    Problem problem(JsonNode root) {
        requireObject(root);
        Problem problem = problemObject(root, "");
        finish();
        return problem;
    }

    LiveMessage liveMessage(JsonNode root) {
        requireObject(root);
        String type = string(root, "", "type", true);
        if (type == null) {
            finish();
        }
        LiveMessage message = switch (type) {
            case "hello" -> {
                allowOnly(root, "", Set.of("type", "clientId", "token", "cursor", "schemaVersion"));
                String clientId = uuid(root, "", "clientId");
                String token = string(root, "", "token", true);
                String cursor = string(root, "", "cursor", false);
                Long schemaVersion = integer(root, "", "schemaVersion", false, 1, Integer.MAX_VALUE);
                yield ok() ? new LiveMessage.Hello(clientId, token, cursor,
                        schemaVersion == null ? null : schemaVersion.intValue()) : null;
            }
            case "welcome" -> {
                allowOnly(root, "", Set.of("type", "cursor"));
                String cursor = string(root, "", "cursor", false);
                yield new LiveMessage.Welcome(cursor);
            }
            case "changes" -> {
                allowOnly(root, "", Set.of("type", "changes", "cursor", "hasMore"));
                List<DeliveredChange> changes = deliveredList(root, "", "changes");
                String cursor = string(root, "", "cursor", true);
                Boolean hasMore = bool(root, "", "hasMore", true);
                yield ok() ? new LiveMessage.Changes(changes, cursor, hasMore) : null;
            }
            case "push" -> {
                allowOnly(root, "", Set.of("type", "requestId", "changes"));
                String requestId = string(root, "", "requestId", true);
                List<Change> changes = changeList(root, "", "changes");
                yield ok() ? new LiveMessage.Push(requestId, changes) : null;
            }
            case "pushResult" -> {
                allowOnly(root, "", Set.of("type", "requestId", "results", "cursor"));
                String requestId = string(root, "", "requestId", true);
                List<PushResult> results = resultList(root, "", "results");
                String cursor = string(root, "", "cursor", false);
                yield ok() ? new LiveMessage.PushResult(requestId, results, cursor) : null;
            }
            case "ack" -> {
                allowOnly(root, "", Set.of("type", "cursor"));
                String cursor = string(root, "", "cursor", true);
                yield ok() ? new LiveMessage.Ack(cursor) : null;
            }
            case "error" -> {
                allowOnly(root, "", Set.of("type", "problem"));
                JsonNode node = root.get("problem");
                Problem problem = null;
                if (node == null || node.isNull()) {
                    error("problem", "is required");
                } else if (!node.isObject()) {
                    error("problem", "must be an object, was " + describe(node));
                } else {
                    problem = problemObject(node, "problem");
                }
                yield ok() ? new LiveMessage.Error(problem) : null;
            }
            case "resync" -> {
                allowOnly(root, "", Set.of("type"));
                yield new LiveMessage.Resync();
            }
            default -> {
                error("type", "must be one of hello, welcome, changes, push, pushResult, ack, error, resync; was '"
                        + type + "'");
                yield null;
            }
        };
        finish();
        return message;
    }

    // ---- protocol objects -----------------------------------------------------------------------------------

    private List<Change> changeList(JsonNode parent, String at, String name) {
        List<Change> out = new ArrayList<>();
        JsonNode array = array(parent, at, name, true);
        if (array != null) {
            String base = path(at, name);
            for (int i = 0; i < array.size(); i++) {
                Change c = change(array.get(i), base + "[" + i + "]");
                if (c != null) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    private Change change(JsonNode node, String at) {
        if (!node.isObject()) {
            error(at, "must be a change object, was " + describe(node));
            return null;
        }
        int before = errorCount;
        allowOnly(node, at, CHANGE_FIELDS);
        String changeId = string(node, at, "changeId", true);
        if (changeId != null && (changeId.isEmpty() || changeId.length() > MAX_CHANGE_ID_LENGTH)) {
            error(path(at, "changeId"), "must be a non-empty string of at most " + MAX_CHANGE_ID_LENGTH
                    + " characters, was " + changeId.length());
        }
        String collection = collectionName(node, at);
        String id = recordId(node, at);
        Operation op = operation(node, at);
        Map<String, Object> data = opData(node, at, op);
        List<String> fields = null;
        JsonNode fieldsNode = array(node, at, "fields", false);
        if (fieldsNode != null) {
            fields = new ArrayList<>(fieldsNode.size());
            for (int i = 0; i < fieldsNode.size(); i++) {
                JsonNode f = fieldsNode.get(i);
                if (f.isTextual()) {
                    fields.add(f.textValue());
                } else {
                    error(path(at, "fields") + "[" + i + "]", "must be a string, was " + describe(f));
                }
            }
        }
        Long baseVersion = integer(node, at, "baseVersion", false, 0, Long.MAX_VALUE);
        String hlc = string(node, at, "hlc", false);
        if (hlc != null && !HlcStamp.isValid(hlc)) {
            error(path(at, "hlc"), "must look like 1763765150123-0001-node (13-digit millis, 4 lower-case hex "
                    + "digits, node id), was '" + hlc + "'");
        }
        return errorCount == before ? new Change(changeId, collection, id, op, data, fields, baseVersion, hlc) : null;
    }

    private List<DeliveredChange> deliveredList(JsonNode parent, String at, String name) {
        List<DeliveredChange> out = new ArrayList<>();
        JsonNode array = array(parent, at, name, true);
        if (array != null) {
            String base = path(at, name);
            for (int i = 0; i < array.size(); i++) {
                DeliveredChange c = delivered(array.get(i), base + "[" + i + "]");
                if (c != null) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    private DeliveredChange delivered(JsonNode node, String at) {
        if (!node.isObject()) {
            error(at, "must be a change object, was " + describe(node));
            return null;
        }
        int before = errorCount;
        allowOnly(node, at, DELIVERED_FIELDS);
        String collection = collectionName(node, at);
        String id = recordId(node, at);
        Operation op = operation(node, at);
        Long version = integer(node, at, "version", true, 1, Long.MAX_VALUE);
        Map<String, Object> data = opData(node, at, op);
        return errorCount == before ? new DeliveredChange(collection, id, op, version, data) : null;
    }

    private List<PushResult> resultList(JsonNode parent, String at, String name) {
        List<PushResult> out = new ArrayList<>();
        JsonNode array = array(parent, at, name, true);
        if (array != null) {
            String base = path(at, name);
            for (int i = 0; i < array.size(); i++) {
                PushResult r = result(array.get(i), base + "[" + i + "]");
                if (r != null) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    private PushResult result(JsonNode node, String at) {
        if (!node.isObject()) {
            error(at, "must be a result object, was " + describe(node));
            return null;
        }
        int before = errorCount;
        String changeId = string(node, at, "changeId", true);
        String status = string(node, at, "status", true);
        if (status == null) {
            return null;
        }
        PushResult result;
        switch (status) {
            case "applied", "duplicate" -> {
                allowOnly(node, at, Set.of("changeId", "status", "version"));
                Long version = integer(node, at, "version", true, 1, Long.MAX_VALUE);
                result = errorCount != before ? null : status.equals("applied")
                        ? new PushResult.Applied(changeId, version) : new PushResult.Duplicate(changeId, version);
            }
            case "merged" -> {
                allowOnly(node, at, Set.of("changeId", "status", "version", "record"));
                Long version = integer(node, at, "version", true, 1, Long.MAX_VALUE);
                Map<String, Object> record = optionalData(node, at, "record", true);
                result = errorCount != before ? null : new PushResult.Merged(changeId, version, record);
            }
            case "conflict" -> {
                allowOnly(node, at, Set.of("changeId", "status", "version", "record", "resolution"));
                Long version = integer(node, at, "version", true, 0, Long.MAX_VALUE);
                Map<String, Object> record = optionalData(node, at, "record", false);
                String resolution = string(node, at, "resolution", true);
                result = errorCount != before ? null
                        : new PushResult.Conflict(changeId, version, record, resolution);
            }
            case "rejected" -> {
                allowOnly(node, at, Set.of("changeId", "status", "reason", "message"));
                String reasonText = string(node, at, "reason", true);
                RejectReason reason = null;
                if (reasonText != null) {
                    try {
                        reason = RejectReason.fromWire(reasonText);
                    } catch (IllegalArgumentException e) {
                        error(path(at, "reason"), "must be one of validation, unknown_collection, forbidden, "
                                + "too_large; was '" + reasonText + "'");
                    }
                }
                String message = string(node, at, "message", false);
                result = errorCount != before ? null : new PushResult.Rejected(changeId, reason, message);
            }
            default -> {
                error(path(at, "status"), "must be one of applied, duplicate, merged, conflict, rejected; was '"
                        + status + "'");
                result = null;
            }
        }
        return result;
    }

    private CollectionSchema collectionSchema(JsonNode node, String at) {
        if (!node.isObject()) {
            error(at, "must be a collection object, was " + describe(node));
            return null;
        }
        int before = errorCount;
        allowOnly(node, at, Set.of("name", "idField", "scopeField", "fields"));
        String name = collectionName(node, at, "name");
        String idField = string(node, at, "idField", true);
        String scopeField = string(node, at, "scopeField", false);
        CollectionSchema.Builder builder = CollectionSchema.builder(name == null ? "x" : name);
        if (idField != null) {
            builder.idField(idField);
        }
        builder.scopeField(scopeField);
        JsonNode fields = array(node, at, "fields", true);
        if (fields != null) {
            for (int i = 0; i < fields.size(); i++) {
                String fAt = path(at, "fields") + "[" + i + "]";
                JsonNode f = fields.get(i);
                if (!f.isObject()) {
                    error(fAt, "must be a field object, was " + describe(f));
                    continue;
                }
                allowOnly(f, fAt, Set.of("name", "type", "nullable"));
                String fieldName = string(f, fAt, "name", true);
                String typeName = string(f, fAt, "type", true);
                Boolean nullable = bool(f, fAt, "nullable", true);
                FieldType type = null;
                if (typeName != null) {
                    try {
                        type = FieldType.fromWire(typeName);
                    } catch (IllegalArgumentException e) {
                        error(path(fAt, "type"), "must be one of string, integer, number, boolean, timestamp, "
                                + "json; was '" + typeName + "'");
                    }
                }
                if (fieldName != null && type != null && nullable != null) {
                    builder.field(fieldName, type, nullable);
                }
            }
        }
        if (errorCount != before) {
            return null;
        }
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            error(at, e.getMessage());
            return null;
        }
    }

    /**
     * A problem object. Of the extension members (RFC 9457 section 3.2), {@code latestVersion} and {@code seenUntil}
     * of {@code cursor-expired} are read when they are a version and an RFC 3339 time; the others, and values that
     * are not, are ignored.
     */
    private Problem problemObject(JsonNode node, String at) {
        int before = errorCount;
        String type = string(node, at, "type", true);
        String title = string(node, at, "title", false);
        Long status = integer(node, at, "status", true, 100, 599);
        String detail = string(node, at, "detail", true);
        List<FieldError> fieldErrors = new ArrayList<>();
        JsonNode array = array(node, at, "errors", false);
        if (array != null) {
            for (int i = 0; i < array.size(); i++) {
                String eAt = path(at, "errors") + "[" + i + "]";
                JsonNode e = array.get(i);
                if (!e.isObject()) {
                    error(eAt, "must be an object, was " + describe(e));
                    continue;
                }
                allowOnly(e, eAt, Set.of("field", "message"));
                String field = string(e, eAt, "field", true);
                String message = string(e, eAt, "message", true);
                if (field != null && message != null) {
                    fieldErrors.add(new FieldError(field, message));
                }
            }
        }
        ProblemType problemType = null;
        if (type != null && status != null) {
            try {
                problemType = ProblemType.fromWire(type, status.intValue());
            } catch (IllegalArgumentException e) {
                error(path(at, "type"), "unknown problem type '" + type + "'");
            }
        }
        JsonNode latest = node.get("latestVersion");
        Long latestVersion = problemType == ProblemType.CURSOR_EXPIRED && latest != null && latest.isIntegralNumber()
                && latest.canConvertToLong() && latest.longValue() >= 0 ? Long.valueOf(latest.longValue()) : null;
        Instant seenUntil = latestVersion == null ? null : instantOrNull(node.get("seenUntil"));
        return errorCount == before ? new Problem(problemType, title, status.intValue(), detail, fieldErrors,
                latestVersion, seenUntil) : null;
    }

    /** An RFC 3339 instant, or null when {@code value} is not one (an extension member a client may ignore). */
    private static Instant instantOrNull(JsonNode value) {
        if (value == null || !value.isTextual()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value.textValue()).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    // ---- fields ---------------------------------------------------------------------------------------------

    private String collectionName(JsonNode node, String at) {
        return collectionName(node, at, "collection");
    }

    private String collectionName(JsonNode node, String at, String name) {
        String value = string(node, at, name, true);
        if (value != null && !CollectionSchema.isValidName(value)) {
            error(path(at, name), "must match [a-z][a-z0-9_]{0,62}, was '" + value + "'");
            return null;
        }
        return value;
    }

    private String recordId(JsonNode node, String at) {
        String id = string(node, at, "id", true);
        if (id != null && (id.isEmpty() || id.length() > MAX_ID_LENGTH)) {
            error(path(at, "id"), "must be a non-empty string of at most " + MAX_ID_LENGTH + " characters");
            return null;
        }
        return id;
    }

    private Operation operation(JsonNode node, String at) {
        String op = string(node, at, "op", true);
        if (op == null) {
            return null;
        }
        try {
            return Operation.fromWire(op);
        } catch (IllegalArgumentException e) {
            error(path(at, "op"), e.getMessage());
            return null;
        }
    }

    /** {@code data}: required object for an upsert, absent or null for a delete. */
    private Map<String, Object> opData(JsonNode node, String at, Operation op) {
        JsonNode data = node.get("data");
        boolean present = data != null && !data.isNull();
        if (op == Operation.DELETE) {
            if (present) {
                error(path(at, "data"), "must be absent for a delete");
            }
            return null;
        }
        if (op == null) {
            if (present && !data.isObject()) {
                error(path(at, "data"), "must be an object, was " + describe(data));
            }
            return null;
        }
        return optionalData(node, at, "data", true);
    }

    private Map<String, Object> optionalData(JsonNode node, String at, String name, boolean required) {
        JsonNode data = node.get(name);
        if (data == null || data.isNull()) {
            if (required) {
                error(path(at, name), "is required");
            }
            return null;
        }
        if (!data.isObject()) {
            error(path(at, name), "must be an object, was " + describe(data));
            return null;
        }
        return dataObject(data, path(at, name));
    }

    private String uuid(JsonNode node, String at, String name) {
        String value = string(node, at, name, true);
        if (value != null && !UUID.matcher(value).matches()) {
            error(path(at, name), "must be a UUID like 6f1c0d52-2a52-4d3c-9d5e-6a8a7e1b9c01, was '" + value + "'");
            return null;
        }
        return value;
    }

    private String string(JsonNode node, String at, String name, boolean required) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            if (required) {
                error(path(at, name), "is required");
            }
            return null;
        }
        if (!value.isTextual()) {
            error(path(at, name), "must be a string, was " + describe(value));
            return null;
        }
        return value.textValue();
    }

    private Boolean bool(JsonNode node, String at, String name, boolean required) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            if (required) {
                error(path(at, name), "is required");
            }
            return null;
        }
        if (!value.isBoolean()) {
            error(path(at, name), "must be a boolean, was " + describe(value));
            return null;
        }
        return value.booleanValue();
    }

    private Long integer(JsonNode node, String at, String name, boolean required, long min, long max) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            if (required) {
                error(path(at, name), "is required");
            }
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            error(path(at, name), "must be an integer between " + min + " and " + max + ", was " + describe(value));
            return null;
        }
        long v = value.longValue();
        if (v < min || v > max) {
            error(path(at, name), "must be an integer between " + min + " and " + max + ", was " + v);
            return null;
        }
        return v;
    }

    private JsonNode array(JsonNode node, String at, String name, boolean required) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            if (required) {
                error(path(at, name), "is required");
            }
            return null;
        }
        if (!value.isArray()) {
            error(path(at, name), "must be an array, was " + describe(value));
            return null;
        }
        return value;
    }

    private void allowOnly(JsonNode node, String at, Set<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                error(path(at, name), "unknown field");
            }
        }
    }

    // ---- record data ----------------------------------------------------------------------------------------

    private Map<String, Object> dataObject(JsonNode node, String at) {
        Map<String, Object> out = new LinkedHashMap<>(Math.max(4, node.size() * 2));
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), dataValue(e.getValue(), path(at, e.getKey())));
        }
        return out;
    }

    private Object dataValue(JsonNode node, String at) {
        switch (node.getNodeType()) {
            case STRING:
                return node.textValue();
            case BOOLEAN:
                return node.booleanValue();
            case NULL:
                return null;
            case OBJECT:
                return dataObject(node, at);
            case ARRAY: {
                List<Object> list = new ArrayList<>(node.size());
                for (int i = 0; i < node.size(); i++) {
                    list.add(dataValue(node.get(i), at + "[" + i + "]"));
                }
                return list;
            }
            case NUMBER:
                if (node.isIntegralNumber()) {
                    if (!node.canConvertToLong()) {
                        error(at, "integer " + node.asText() + " does not fit a 64-bit signed integer");
                        return null;
                    }
                    return node.longValue();
                }
                double d = node.doubleValue();
                if (!Double.isFinite(d)) {
                    error(at, "number " + node.asText() + " is out of range");
                    return null;
                }
                return d;
            default:
                error(at, "is not a JSON value");
                return null;
        }
    }

    // ---- errors ---------------------------------------------------------------------------------------------

    private void requireObject(JsonNode root) {
        if (root == null || root.isMissingNode()) {
            throw new ProblemException(Problem.badRequest("The " + what + " body is empty; expected a JSON object.",
                    List.of(new FieldError(ROOT, "body is empty"))));
        }
        if (!root.isObject()) {
            throw new ProblemException(Problem.badRequest("The " + what + " must be a JSON object, was "
                    + describe(root) + ".", List.of(new FieldError(ROOT, "must be a JSON object"))));
        }
    }

    private boolean ok() {
        return errorCount == 0;
    }

    private void error(String field, String message) {
        errorCount++;
        if (errors.size() < MAX_ERRORS) {
            errors.add(new FieldError(field.isEmpty() ? ROOT : field, message));
        }
    }

    /** Throws the collected errors, if any, as one bad-request problem. */
    private void finish() {
        if (errorCount == 0) {
            return;
        }
        FieldError first = errors.get(0);
        StringBuilder detail = new StringBuilder("Invalid ").append(what).append(": ")
                .append(first.field()).append(' ').append(first.message());
        if (errorCount > 1) {
            detail.append(" (and ").append(errorCount - 1).append(" more error").append(errorCount > 2 ? "s" : "");
            if (errorCount > MAX_ERRORS) {
                detail.append(", the first ").append(MAX_ERRORS).append(" listed");
            }
            detail.append(')');
        }
        detail.append('.');
        throw new ProblemException(Problem.badRequest(detail.toString(), errors));
    }

    private static String path(String at, String name) {
        return at.isEmpty() ? name : at + "." + name;
    }

    static String describe(JsonNode node) {
        JsonNodeType type = node.getNodeType();
        return switch (type) {
            case STRING -> "a string";
            case BOOLEAN -> "a boolean";
            case NUMBER -> node.isIntegralNumber() ? "an integer" : "a number with a fraction or exponent";
            case OBJECT -> "an object";
            case ARRAY -> "an array";
            case NULL -> "null";
            default -> "not a JSON value";
        };
    }
}
