const orders = [
  { id: 'A-1042', item: 'Rabbit-hole survey kit', status: 'Shipped' },
  { id: 'A-1043', item: 'Pocket watch (late model)', status: 'Processing' },
  { id: 'A-1044', item: 'Tea set for six', status: 'Delivered' },
];

/** The protected page that a deep link leads to. */
export function OrdersPage() {
  return (
    <section>
      <h1 data-testid="orders-title">Your orders</h1>
      <table>
        <thead>
          <tr>
            <th>Order</th>
            <th>Item</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {orders.map((order) => (
            <tr key={order.id}>
              <td>{order.id}</td>
              <td>{order.item}</td>
              <td>{order.status}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
