export { type DdlStatements, ddlMigration, ddlSql } from './ddl-migration.js';
