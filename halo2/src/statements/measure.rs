//! How many rows a circuit needs, measured: the circuit is laid out once, without values,
//! into an assignment that only records the highest row written, so `k` is exact for every
//! shape instead of a formula kept in step by hand.

use crate::Fp;
use halo2_proofs::circuit::Value;
use halo2_proofs::plonk::{
    Advice, Any, Assigned, Assignment, Challenge, Circuit, Column, ConstraintSystem, Error, Fixed,
    FloorPlanner, Instance, Selector,
};

/// An assignment that keeps only the number of rows used.
#[derive(Default)]
struct RowCount {
    rows: usize,
}

impl RowCount {
    fn touch(&mut self, row: usize) {
        self.rows = self.rows.max(row + 1);
    }
}

impl Assignment<Fp> for RowCount {
    fn enter_region<NR: Into<String>, N: FnOnce() -> NR>(&mut self, _: N) {}
    fn annotate_column<A: FnOnce() -> AR, AR: Into<String>>(&mut self, _: A, _: Column<Any>) {}
    fn exit_region(&mut self) {}
    fn enable_selector<A: FnOnce() -> AR, AR: Into<String>>(
        &mut self,
        _: A,
        _: &Selector,
        row: usize,
    ) -> Result<(), Error> {
        self.touch(row);
        Ok(())
    }
    fn query_instance(&self, _: Column<Instance>, _: usize) -> Result<Value<Fp>, Error> {
        Ok(Value::unknown())
    }
    fn assign_advice<'v>(
        &mut self,
        _: Column<Advice>,
        row: usize,
        _: Value<Assigned<Fp>>,
    ) -> Value<&'v Assigned<Fp>> {
        self.touch(row);
        Value::unknown()
    }
    fn assign_fixed(&mut self, _: Column<Fixed>, row: usize, _: Assigned<Fp>) {
        self.touch(row);
    }
    fn copy(&mut self, _: Column<Any>, left: usize, _: Column<Any>, right: usize) {
        self.touch(left.max(right));
    }
    fn fill_from_row(
        &mut self,
        _: Column<Fixed>,
        _: usize,
        _: Value<Assigned<Fp>>,
    ) -> Result<(), Error> {
        Ok(())
    }
    fn get_challenge(&self, _: Challenge) -> Value<Fp> {
        Value::unknown()
    }
    fn push_namespace<NR: Into<String>, N: FnOnce() -> NR>(&mut self, _: N) {}
    fn pop_namespace(&mut self, _: Option<String>) {}
}

/// The smallest `k` whose `2^k` rows hold `circuit` and halo2's blinding rows.
pub fn k_of<C: Circuit<Fp>>(circuit: &C) -> Result<u32, Error> {
    let mut cs = ConstraintSystem::default();
    let config = C::configure_with_params(&mut cs, circuit.params());
    let mut count = RowCount::default();
    C::FloorPlanner::synthesize(&mut count, circuit, config, cs.constants().clone())?;
    let need = count.rows + cs.blinding_factors() + 1;
    Ok(need
        .next_power_of_two()
        .trailing_zeros()
        .max(cs.minimum_rows().next_power_of_two().trailing_zeros()))
}
