// Node 22 APIs the @platformatic/kafka suite uses, for running it on Node 20 (run.sh loads this
// with --import): Promise.withResolvers and Array.fromAsync. Nothing else is provided.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve, reject;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
if (typeof Array.fromAsync !== 'function') {
  Array.fromAsync = async function fromAsync(source) {
    const items = [];
    for await (const item of source) items.push(item);
    return items;
  };
}
