package io.tether.sync.jpa;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Leaves an attribute of a {@link Synced} entity out of sync: it is not in the collection's schema, not in
 * captured records, and remote applies leave its local value alone. The {@code @Version} attribute is always left
 * out (it is local optimistic locking).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD})
public @interface NotSynced {
}
