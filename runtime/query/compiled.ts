// A query expression compiled to the parts of a SELECT (expression.ts: compile), as the
// statements built from it read it: the SELECT itself and a delete's cascade (delete.ts).
import type { CatalogAttribute } from '../catalog/types';
import type { Connection } from '../connection/index';
import type { Sql } from '../dialect/index';

export interface Attr {
  name: string;
  /** SQL expression selecting it (a quoted column name unless renamed). */
  expr: string;
  attr: CatalogAttribute;
  /** An aggregate computed by aggr(): decoded from the value the server returns. */
  computed?: boolean;
}

export interface Compiled {
  connection: Connection;
  from: string;
  fromParams: unknown[];
  attrs: Attr[];
  primaryKey: string[];
  where: Sql[];
  /** Some attribute is selected under another name: restrict/join need a subquery first. */
  renamed: boolean;
  /** Some column of the sources is not in `attrs`: joining needs a subquery first. */
  narrowed: boolean;
  /** Set when the expression is a (restricted) base table. */
  base?: { schema: string; table: string };
  /** Set by aggr: grouping columns; such an expression is wrapped before any other operation. */
  groupBy?: string;
}
