-- connector handshakes, driver and application queries seen in the wild
select @@version_comment limit 1
/* mysql-connector-java-8.0.28 (Revision: 7ff2161) */SELECT  @@session.auto_increment_increment AS auto_increment_increment, @@character_set_client AS character_set_client
SET SQL_SELECT_LIMIT=DEFAULT
SELECT DATABASE(), USER() limit 1
SHOW VARIABLES WHERE Variable_name = 'x'
SELECT * FROM t WHERE a LIKE ? ESCAPE '\\'
select * from t where (a, b) in ((?, ?), (?, ?))
SELECT JSON_EXTRACT(doc, '$.a') FROM t
SELECT a FROM t1 WHERE a IN (SELECT a FROM t2) ORDER BY a IS NULL, a
select * from t order by field(id, 3, 1, 2)
SELECT GET_LOCK('x', 10)
SELECT * FROM t PARTITION (p0, p1) AS x WHERE 1
INSERT DELAYED INTO t VALUES (1)
SELECT 'a' COLLATE 'utf8mb4_bin'
SELECT CONVERT(_latin1'x' USING utf8)
SELECT 1 <=> 2 IS NOT TRUE
select * from t where id = -?
SELECT a.* , b.id FROM a, b
SELECT * FROM `db`.`t` `x` WHERE `x`.`id` = 1
SELECT SUM(IF(a > 0, 1, 0)) AS pos FROM t
select count(1) from (select 1 from dual) t
SELECT ROW(1,2)
SELECT id FROM t WHERE id IN (1) AND NOT (a IS NULL OR b = 'x')
SELECT 1 FROM t WHERE a = 1 OR b = 2 XOR c = 3
SELECT `t`.`a` AS `t.a` FROM t
SELECT 'a' LIKE 'b' = 0
SELECT a = 1 AND b = 2 IS TRUE
SELECT CASE WHEN a IN (1, 2) THEN 'x' END FROM t
SELECT * FROM t FORCE KEY FOR JOIN (a, b), USE INDEX ()
SELECT DISTINCT(a) FROM t
SELECT COUNT(DISTINCT(a)) FROM t
SELECT MAX(DISTINCT a) FROM t
SELECT 0.5e-10, -.5, 1 - - - 1
SELECT x'' , b''
select * from t where a between ? and ? and b not between 1 and 2
SELECT name FROM t WHERE name REGEXP BINARY '^[A-Z]'
SELECT CURRENT_USER, CURRENT_USER(), SESSION_USER(), SYSTEM_USER()
SELECT CHARSET('a'), COLLATION('a'), COERCIBILITY('a')
SELECT * FROM t LIMIT 18446744073709551615
INSERT INTO t VALUES (1), (2) ON DUPLICATE KEY UPDATE a = a
SELECT a, b FROM t GROUP BY a, b WITH ROLLUP
UPDATE t SET a = (SELECT 1) WHERE b = (SELECT 2)
DELETE FROM t WHERE id IN (SELECT id FROM (SELECT id FROM t) x)
SELECT * FROM t AS `order` WHERE `order`.id = 1
SELECT 1 AS `count`, 2 AS `key`, 3 AS `status`
SELECT a'x'
SELECT $x FROM t
SELECT t.1a FROM t
