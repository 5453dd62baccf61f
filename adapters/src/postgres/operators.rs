//! The SQL operator of each comparison of the filter language, shared by the data-field
//! conditions (`filter_sql`) and the system-column ones (`system_sql`).

use domain::query::CmpOp;

/// The SQL operator of `op`.
pub fn comparison(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "=",
        CmpOp::Ne => "<>",
        CmpOp::Gt => ">",
        CmpOp::Gte => ">=",
        CmpOp::Lt => "<",
        CmpOp::Lte => "<=",
    }
}
