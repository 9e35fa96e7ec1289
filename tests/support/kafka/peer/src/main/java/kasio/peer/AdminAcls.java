package kasio.peer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.CreateAclsOptions;
import org.apache.kafka.clients.admin.CreateAclsResult;
import org.apache.kafka.clients.admin.DeleteAclsOptions;
import org.apache.kafka.clients.admin.DeleteAclsResult;
import org.apache.kafka.clients.admin.DescribeAclsOptions;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;

import static kasio.peer.AdminQuery.Outcome;
import static kasio.peer.AdminQuery.await;
import static kasio.peer.AdminQuery.call;
import static kasio.peer.AdminQuery.lc;
import static kasio.peer.AdminQuery.parseEnum;
import static kasio.peer.AdminQuery.withAdmin;
import static kasio.peer.AdminQuery.withError;
import static kasio.peer.AdminTopics.get;

/**
 * admin-* commands about ACLs. An ACL on the command line is
 * resource_type:name:pattern_type:principal:host:operation:permission, e.g.
 * topic:orders:literal:User:kasio:*:write:deny (the principal is Type:name, so it holds one ':';
 * the resource name may hold more). In a filter every field may be "any".
 */
final class AdminAcls {
    private AdminAcls() {}

    private static final Set<String> PATTERN_WORDS = Set.of("any", "match", "literal", "prefixed");

    /** The seven fields of an ACL or filter spelled as above; "any" fields are returned as "any". */
    static String[] fields(String spec, boolean filter) {
        String[] t = spec.split(":", -1);
        int n = t.length;
        if (n < 7) {
            throw new PeerException("ACL '" + spec + "': expected resource_type:name:pattern_type:principal:host"
                + ":operation:permission");
        }
        String principal;
        int patternAt;
        if (filter && t[n - 4].equalsIgnoreCase("any") && PATTERN_WORDS.contains(t[n - 5].toLowerCase(Locale.ROOT))) {
            principal = "any";
            patternAt = n - 5;
        } else {
            if (n < 8) {
                throw new PeerException("ACL '" + spec + "': the principal must be Type:name (e.g. User:kasio)");
            }
            principal = t[n - 5] + ":" + t[n - 4];
            patternAt = n - 6;
        }
        if (patternAt < 1) {
            throw new PeerException("ACL '" + spec + "': missing the resource name");
        }
        String name = String.join(":", Arrays.copyOfRange(t, 1, patternAt));
        return new String[] {t[0], name, t[patternAt], principal, t[n - 3], t[n - 2], t[n - 1]};
    }

    static AclBinding binding(String spec) {
        String[] f = fields(spec, false);
        return new AclBinding(
            new ResourcePattern(parseEnum(ResourceType.class, f[0], "resource type"), f[1],
                parseEnum(PatternType.class, f[2], "pattern type")),
            new AccessControlEntry(f[3], f[4], parseEnum(AclOperation.class, f[5], "operation"),
                parseEnum(AclPermissionType.class, f[6], "permission")));
    }

    private static String anyOr(String v) {
        return v.equalsIgnoreCase("any") ? null : v;
    }

    static AclBindingFilter filter(String spec) {
        if (spec.equalsIgnoreCase("any")) {
            return AclBindingFilter.ANY;
        }
        String[] f = fields(spec, true);
        return new AclBindingFilter(
            new ResourcePatternFilter(parseEnum(ResourceType.class, f[0], "resource type"), anyOr(f[1]),
                parseEnum(PatternType.class, f[2], "pattern type")),
            new AccessControlEntryFilter(anyOr(f[3]), anyOr(f[4]), parseEnum(AclOperation.class, f[5], "operation"),
                parseEnum(AclPermissionType.class, f[6], "permission")));
    }

    static Map<String, Object> aclJson(AclBinding b) {
        return Json.obj("resource_type", lc(b.pattern().resourceType()), "name", b.pattern().name(),
            "pattern_type", lc(b.pattern().patternType()), "principal", b.entry().principal(),
            "host", b.entry().host(), "operation", lc(b.entry().operation()),
            "permission", lc(b.entry().permissionType()));
    }

    static Map<String, Object> filterJson(AclBindingFilter f) {
        ResourcePatternFilter p = f.patternFilter();
        AccessControlEntryFilter e = f.entryFilter();
        return Json.obj("resource_type", lc(p.resourceType()), "name", p.name() == null ? "any" : p.name(),
            "pattern_type", lc(p.patternType()), "principal", e.principal() == null ? "any" : e.principal(),
            "host", e.host() == null ? "any" : e.host(), "operation", lc(e.operation()),
            "permission", lc(e.permissionType()));
    }

    static final Comparator<AclBinding> ORDER = Comparator.comparing(AdminAcls::sortKey);

    private static String sortKey(AclBinding b) {
        return String.join("\u0000", lc(b.pattern().resourceType()), b.pattern().name(),
            lc(b.pattern().patternType()), b.entry().principal(), b.entry().host(), lc(b.entry().operation()),
            lc(b.entry().permissionType()));
    }

    static void describeAcls(Args a) throws Exception {
        AclBindingFilter f = a.has("filter") ? filter(a.req("filter")) : AclBindingFilter.ANY;
        withAdmin(a, admin -> {
            List<AclBinding> acls = new ArrayList<>(get(admin.describeAcls(f,
                call(new DescribeAclsOptions(), a)).values(), a, "describing ACLs"));
            acls.sort(ORDER);
            List<Object> out = new ArrayList<>();
            for (AclBinding b : acls) {
                out.add(aclJson(b));
            }
            Json.emit(Json.obj("acls", out));
        });
    }

    static void createAcls(Args a) throws Exception {
        List<AclBinding> acls = new ArrayList<>();
        for (String spec : a.all("acl")) {
            AclBinding b = binding(spec);
            if (!acls.contains(b)) {
                acls.add(b);
            }
        }
        if (acls.isEmpty()) {
            throw new PeerException("missing required option --acl");
        }
        acls.sort(ORDER);
        withAdmin(a, admin -> {
            CreateAclsResult r = admin.createAcls(acls, call(new CreateAclsOptions(), a));
            for (AclBinding b : acls) {
                Outcome<Void> o = await(r.values().get(b), a, "creating ACLs");
                Map<String, Object> line = aclJson(b);
                Json.emit(o.ok() ? line : withError(line, o.error()));
            }
        });
    }

    static void deleteAcls(Args a) throws Exception {
        List<AclBindingFilter> filters = new ArrayList<>();
        for (String spec : a.all("filter")) {
            AclBindingFilter f = filter(spec);
            if (!filters.contains(f)) {
                filters.add(f);
            }
        }
        if (filters.isEmpty()) {
            throw new PeerException("missing required option --filter");
        }
        withAdmin(a, admin -> {
            DeleteAclsResult r = admin.deleteAcls(filters, call(new DeleteAclsOptions(), a));
            for (AclBindingFilter f : filters) {   // in the order given
                Outcome<DeleteAclsResult.FilterResults> o = await(r.values().get(f), a, "deleting ACLs");
                Map<String, Object> line = Json.obj("filter", filterJson(f));
                if (!o.ok()) {
                    Json.emit(withError(line, o.error()));
                    continue;
                }
                List<DeleteAclsResult.FilterResult> results = new ArrayList<>(o.value().values());
                results.sort(Comparator.comparing(x -> x.binding() == null ? "" : sortKey(x.binding())));
                List<Object> deleted = new ArrayList<>();
                for (DeleteAclsResult.FilterResult fr : results) {
                    Map<String, Object> m = fr.binding() == null ? Json.obj() : aclJson(fr.binding());
                    deleted.add(fr.exception() == null ? m : withError(m, fr.exception()));
                }
                line.put("deleted", deleted);
                Json.emit(line);
            }
        });
    }
}
