// franz-perf: kasio-perf's twin on franz-go (kgo), one of the clients tests/bench/compare4.sh
// puts beside kasio. Same command line where it matters, same payload, same RESULT line
// (examples/perf_common.hpp):
//
//	franz-perf produce|consume --brokers B --topic T --count N --size S [--key-size K]
//	           [--codec C] [--acks A] [--linger-ms L] [--batch-size B] [--max-in-flight M]
//	           [--rate R]
//
// Unlike kasio-perf, an option left out keeps franz-go's own default (no linger, 1 MB batches,
// snappy, one produce request in flight per broker, idempotent acks=all): the harness's "own
// defaults" table runs it bare, its "aligned" table passes every option.
//
// The window of outstanding records and the payload follow perf_common.hpp, so delivery latency
// means the same thing here: from the Produce call to its promise.
package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kversion"
)

type options struct {
	mode, brokers, topic string
	count                int64
	size, keySize        int
	rate                 int64 // records per second, 0: as fast as the window allows
	codec, acks          string
	linger, batch, infl  string // "" : franz-go's default
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: franz-perf produce|consume --brokers B --topic T --count N --size S [--key-size K]\n"+
		"          [--codec none|gzip|snappy|lz4|zstd] [--acks 0|1|all] [--linger-ms L]\n"+
		"          [--batch-size B] [--max-in-flight M] [--rate R]")
}

func parse(args []string) (options, error) {
	var o options
	o.size = 100
	if len(args) < 1 || (args[0] != "produce" && args[0] != "consume") {
		return o, fmt.Errorf("missing or unknown mode")
	}
	o.mode = args[0]
	for i := 1; i < len(args); i += 2 {
		if i+1 >= len(args) {
			return o, fmt.Errorf("missing value after %s", args[i])
		}
		v := args[i+1]
		var err error
		switch args[i] {
		case "--brokers", "-b":
			o.brokers = v
		case "--topic", "-t":
			o.topic = v
		case "--count":
			o.count, err = strconv.ParseInt(v, 10, 64)
		case "--size":
			o.size, err = strconv.Atoi(v)
		case "--key-size":
			o.keySize, err = strconv.Atoi(v)
		case "--rate":
			o.rate, err = strconv.ParseInt(v, 10, 64)
		case "--codec":
			o.codec = v
		case "--acks":
			o.acks = v
		case "--linger-ms":
			o.linger = v
		case "--batch-size":
			o.batch = v
		case "--max-in-flight":
			o.infl = v
		default:
			return o, fmt.Errorf("unknown option '%s'", args[i])
		}
		if err != nil {
			return o, fmt.Errorf("bad value '%s' for %s", v, args[i])
		}
	}
	if o.brokers == "" || o.topic == "" || o.count <= 0 {
		return o, fmt.Errorf("--brokers, --topic and --count are required")
	}
	return o, nil
}

// payload: perf_common.hpp's pool of word-like text, built the same way (xorshift64, the same
// seed and stride), so that codecs see the same bytes as in the other clients.
type payload struct {
	bytes []byte
	size  int
	span  uint64
}

func newPayload(size int) payload {
	const pool = 1 << 20
	state := uint64(0x9e3779b97f4a7c15)
	next := func() uint64 {
		state ^= state << 13
		state ^= state >> 7
		state ^= state << 17
		return state
	}
	words := make([][]byte, 512)
	for i := range words {
		n := 2 + next()%8
		for j := uint64(0); j < n; j++ {
			words[i] = append(words[i], byte('a'+next()%26))
		}
	}
	b := make([]byte, 0, pool+size+16)
	for len(b) < pool+size {
		b = append(b, words[next()%uint64(len(words))]...)
		b = append(b, ' ')
	}
	return payload{bytes: b, size: size, span: pool}
}

func (p payload) value(i uint64) []byte {
	off := (i * 40503) % p.span
	return p.bytes[off : off+uint64(p.size)]
}

func writeKey(out []byte, i uint64) {
	for k := len(out) - 1; k >= 0; k-- {
		out[k] = byte('0' + i%10)
		i /= 10
	}
}

func window(o options) int64 {
	per := int64(o.size + o.keySize + 1)
	w := (int64(16) << 20) / per
	if w < 1000 {
		w = 1000
	}
	if w > o.count {
		w = o.count
	}
	return w
}

func rusage() (cpu float64, rssMB float64) {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime), float64(ru.Maxrss) / 1024
}

type result struct {
	mode             string
	msgs, ok, failed int64
	secs             float64
	bytes            uint64
	p50, p99         float64
}

func printResult(r result) {
	cpu, rss := rusage()
	secs := r.secs
	if secs <= 0 {
		secs = 1e-9
	}
	per := 0.0
	if r.ok > 0 {
		per = cpu * 1e6 / float64(r.ok)
	}
	fmt.Printf("RESULT mode=%s msgs=%d ok=%d failed=%d secs=%.3f msgs_per_s=%.0f mb_per_s=%.2f "+
		"cpu_s=%.3f cpu_us_per_msg=%.3f p50_ms=%.3f p99_ms=%.3f rss_mb=%.1f\n",
		r.mode, r.msgs, r.ok, r.failed, r.secs, float64(r.ok)/secs, float64(r.bytes)/secs/1e6,
		cpu, per, r.p50, r.p99, rss)
}

func quantileMs(lat []int64, ok []bool, q float64) float64 {
	v := make([]int64, 0, len(lat))
	for i, l := range lat {
		if ok[i] {
			v = append(v, l)
		}
	}
	if len(v) == 0 {
		return 0
	}
	sort.Slice(v, func(a, b int) bool { return v[a] < v[b] })
	return float64(v[int(q*float64(len(v)-1))]) / 1e6
}

// common: the options both modes take. FRANZ_PERF_DEBUG=1 logs franz-go's debug lines to stderr.
func common(o options) []kgo.Opt {
	// franz-go cannot parse kasio-mock-broker's (librdkafka's mock) ApiVersions reply at v3 or
	// above (it fails with "response did not contain enough data") and does not retry lower: cap
	// the request at v2, which real brokers answer too. Every other API keeps franz-go's range.
	versions := kversion.Stable()
	versions.SetMaxKeyVersion(18, 2)
	opts := []kgo.Opt{kgo.SeedBrokers(strings.Split(o.brokers, ",")...), kgo.MaxVersions(versions)}
	if os.Getenv("FRANZ_PERF_DEBUG") != "" {
		opts = append(opts, kgo.WithLogger(kgo.BasicLogger(os.Stderr, kgo.LogLevelDebug, nil)))
	}
	return opts
}

func producerOpts(o options) ([]kgo.Opt, error) {
	opts := append(common(o), kgo.DefaultProduceTopic(o.topic))
	switch o.acks {
	case "":
	case "all", "-1":
		opts = append(opts, kgo.RequiredAcks(kgo.AllISRAcks()))
	case "1":
		opts = append(opts, kgo.RequiredAcks(kgo.LeaderAck()), kgo.DisableIdempotentWrite())
	case "0":
		opts = append(opts, kgo.RequiredAcks(kgo.NoAck()), kgo.DisableIdempotentWrite())
	default:
		return nil, fmt.Errorf("bad --acks %s", o.acks)
	}
	switch o.codec {
	case "":
	case "none":
		opts = append(opts, kgo.ProducerBatchCompression(kgo.NoCompression()))
	case "gzip":
		opts = append(opts, kgo.ProducerBatchCompression(kgo.GzipCompression()))
	case "snappy":
		opts = append(opts, kgo.ProducerBatchCompression(kgo.SnappyCompression()))
	case "lz4":
		opts = append(opts, kgo.ProducerBatchCompression(kgo.Lz4Compression()))
	case "zstd":
		opts = append(opts, kgo.ProducerBatchCompression(kgo.ZstdCompression()))
	default:
		return nil, fmt.Errorf("bad --codec %s", o.codec)
	}
	if o.linger != "" {
		ms, err := strconv.Atoi(o.linger)
		if err != nil {
			return nil, fmt.Errorf("bad --linger-ms %s", o.linger)
		}
		opts = append(opts, kgo.ProducerLinger(time.Duration(ms)*time.Millisecond))
	}
	if o.batch != "" {
		b, err := strconv.Atoi(o.batch)
		if err != nil {
			return nil, fmt.Errorf("bad --batch-size %s", o.batch)
		}
		opts = append(opts, kgo.ProducerBatchMaxBytes(int32(b)))
	}
	if o.infl != "" {
		n, err := strconv.Atoi(o.infl)
		if err != nil {
			return nil, fmt.Errorf("bad --max-in-flight %s", o.infl)
		}
		opts = append(opts, kgo.MaxProduceRequestsInflightPerBroker(n))
	}
	// A topic created just before the run may be unknown to a broker for some seconds (KRaft
	// brokers learn it from the metadata log); franz-go fails such records after 4 tries where
	// the other clients retry until delivery.timeout.ms: retry without limit as they do.
	opts = append(opts, kgo.UnknownTopicRetries(-1))
	// franz-go blocks Produce beyond MaxBufferedRecords (10,000 by default); the window bounds
	// what is outstanding in the other clients, so it does here too.
	opts = append(opts, kgo.MaxBufferedRecords(int(window(o))))
	return opts, nil
}

func runProduce(o options) int {
	opts, err := producerOpts(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "franz-perf:", err)
		return 2
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "franz-perf:", err)
		return 2
	}
	pl := newPayload(o.size)
	// Keys live until their record is delivered (franz-go does not copy them): one slab.
	keys := make([]byte, int(o.count)*o.keySize)
	lat := make([]int64, o.count)
	okf := make([]bool, o.count)
	records := make([]kgo.Record, o.count)
	slots := make(chan struct{}, window(o))
	var delivered, failed atomic.Int64
	var bytes atomic.Uint64
	var firstErr sync.Once
	base := time.Now()

	ctx := context.Background()
	start := time.Now()
	for i := int64(0); i < o.count; i++ {
		if o.rate > 0 {
			due := start.Add(time.Duration(i) * time.Second / time.Duration(o.rate))
			if d := time.Until(due); d > 0 {
				time.Sleep(d)
			}
		}
		slots <- struct{}{}
		r := &records[i]
		if o.keySize > 0 {
			k := keys[int(i)*o.keySize : int(i+1)*o.keySize]
			writeKey(k, uint64(i))
			r.Key = k
		}
		r.Value = pl.value(uint64(i))
		id := i
		lat[id] = int64(time.Since(base))
		cl.Produce(ctx, r, func(r *kgo.Record, err error) {
			if err == nil {
				lat[id] = int64(time.Since(base)) - lat[id]
				okf[id] = true
				delivered.Add(1)
				bytes.Add(uint64(len(r.Key) + len(r.Value)))
			} else {
				failed.Add(1)
				firstErr.Do(func() { fmt.Fprintln(os.Stderr, "franz-perf: first delivery error:", err) })
			}
			<-slots
		})
	}
	if err := cl.Flush(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "franz-perf: flush:", err)
	}
	secs := time.Since(start).Seconds()
	cl.Close()
	res := result{mode: "produce", msgs: o.count, ok: delivered.Load(), secs: secs, bytes: bytes.Load()}
	res.failed = o.count - res.ok
	res.p50 = quantileMs(lat, okf, 0.50)
	res.p99 = quantileMs(lat, okf, 0.99)
	printResult(res)
	if res.failed != 0 {
		return 1
	}
	return 0
}

func runConsume(o options) int {
	// No group: every partition of the topic from its start (direct consuming).
	cl, err := kgo.NewClient(append(common(o), kgo.ConsumeTopics(o.topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "franz-perf:", err)
		return 2
	}
	res := result{mode: "consume", msgs: o.count}
	start := time.Now()
	last := start
	for res.ok < o.count {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		fs := cl.PollFetches(ctx)
		cancel()
		now := time.Now()
		fs.EachError(func(t string, p int32, err error) {
			if err != context.DeadlineExceeded {
				fmt.Fprintf(os.Stderr, "franz-perf: fetch %s/%d: %v\n", t, p, err)
			}
		})
		fs.EachRecord(func(r *kgo.Record) {
			if res.ok < o.count {
				res.ok++
				res.bytes += uint64(len(r.Key) + len(r.Value))
			}
			last = now
		})
		if now.Sub(last) > 30*time.Second {
			fmt.Fprintln(os.Stderr, "franz-perf: no record for 30 s, giving up")
			break
		}
	}
	res.secs = time.Since(start).Seconds()
	cl.Close()
	res.failed = o.count - res.ok
	printResult(res)
	if res.failed != 0 {
		return 1
	}
	return 0
}

func main() {
	o, err := parse(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "franz-perf:", err)
		usage()
		os.Exit(2)
	}
	if o.mode == "produce" {
		os.Exit(runProduce(o))
	}
	os.Exit(runConsume(o))
}
